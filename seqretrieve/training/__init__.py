"""Training of the learned representations (data generation, Keras models, export).

The only package that may import TensorFlow; install the ``train`` extra to use it. The query
and index paths never import anything from here except :mod:`.split` (pure Python).
"""
