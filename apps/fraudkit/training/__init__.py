"""Everything that makes the served artifacts, run in the training env (.venvs/train): the trainers
(``classic``, ``deep``, ``deep_stack``) and what they share (``world``), the scikit-learn style estimators
(``estimators``, ``boosters``), the PyTorch networks (``nets``, ``net_fit``), the ONNX exports
(``onnx_export``, ``export_trees``), and the offline evaluations (``fresh_world``, ``report``).

Serving never imports this package and the app images leave it out (apps/.dockerignore); the training side
loads the artifacts it wrote through the serving code (``fraudkit.scorer.load_scorer``).
"""
