"""Serving of the deep apps without PyTorch: sequence windows (`sequences`), the ONNX Runtime network
(`runtime`), the deep stack (`stack`) and their Scorer (`scorer`). NumPy and onnxruntime only; the PyTorch
networks, their training and ONNX export live in fraudkit.training.
"""
