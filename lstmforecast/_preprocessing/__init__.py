"""Data preparation: make_supervised, Windower, TextSequencer, the sequence input
contract, panels and their splitter. No torch.
"""
