"""Deployment: save/load without pickle, ONNX export, int8 quantization."""
