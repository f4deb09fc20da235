"""Deep-learning models of the fraud apps: sequence building, PyTorch networks (training only), ONNX export and
the ONNX Runtime scorer that serves them without PyTorch.

Modules that import torch (`nets`, `fit`, `export`, `train`) are used only in the training environment;
`sequences`, `runtime` and `scorer` need only NumPy and onnxruntime, so the served images stay small.
"""
