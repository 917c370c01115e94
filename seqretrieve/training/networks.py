"""Keras networks for the two representations (one instance per side: audio, MIDI).

Both take standardised CQT frames (B, T, 48) with T variable. The shared convolutional front end
is 3 groups of [3x3 conv, ReLU, 2x2 max-pool] with 16/32/64 filters: (B, T, 48) ->
(B, T // 8, 6 * 64). Shrunk from the guide's 2 x 2048 dense layers to train on a shared CPU.

- DHS: per time step Dense 256 ReLU -> Dense 32 tanh: (B, T // 8, 32).
- PSE: per time step Dense 256 ReLU, feed-forward attention ``a_t = v^T tanh(W h_t + b)``,
  softmax over time, weighted mean -> Dense 256 ReLU -> Dense 128 tanh: (B, 128).
"""

from __future__ import annotations

import keras
from keras import layers, ops

N_BINS = 48
FILTERS = (16, 32, 64)
HASH_BITS = 32
EMBEDDING_SIZE = 128


def _front_end(inputs):
    """(B, T, 48) -> (B, T // 8, 384)."""
    x = layers.Reshape((-1, N_BINS, 1))(inputs)
    for filters in FILTERS:
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D((2, 2))(x)
    return layers.Reshape((-1, (N_BINS // 8) * FILTERS[-1]))(x)


def hash_network(name: str, hidden: int = 256) -> keras.Model:
    """DHS network: (B, T, 48) -> (B, T // 8, 32) in (-1, 1)."""
    inputs = keras.Input((None, N_BINS))
    x = layers.Dense(hidden, activation="relu")(_front_end(inputs))
    outputs = layers.Dense(HASH_BITS, activation="tanh")(x)
    return keras.Model(inputs, outputs, name=name)


class AttentionPool(layers.Layer):
    """Feed-forward attention over time: (B, T', H) -> (B, H)."""

    def __init__(self, units: int, **kwargs):
        super().__init__(**kwargs)
        self.score_hidden = layers.Dense(units, activation="tanh")
        self.score = layers.Dense(1, use_bias=False)

    def call(self, x):
        weights = ops.softmax(self.score(self.score_hidden(x)), axis=1)  # (B, T', 1)
        return ops.sum(weights * x, axis=1)


def embedding_network(name: str, hidden: int = 256) -> keras.Model:
    """PSE network: (B, T, 48) -> (B, 128) in (-1, 1)."""
    inputs = keras.Input((None, N_BINS))
    x = layers.Dense(hidden, activation="relu")(_front_end(inputs))
    x = AttentionPool(hidden)(x)
    x = layers.Dense(hidden, activation="relu")(x)
    outputs = layers.Dense(EMBEDDING_SIZE, activation="tanh")(x)
    return keras.Model(inputs, outputs, name=name)
