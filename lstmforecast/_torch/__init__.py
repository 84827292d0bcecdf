"""The torch layer: networks, the training engine, devices, custom modules, the layer
summary.
"""
