"""Training the code profile's perceptron: (recording, MIDI window) pairs -> a shared embedding.

Both sides go through the same network, ``relu(standardise(profile) @ W1 + b1) @ W2 + b2``:
(P, 1552) -> (P, hidden) -> (P, dims). It is trained with the symmetric InfoNCE loss of
:func:`seqretrieve.training.losses.info_nce_loss` on squared Euclidean distances (so the
index's nearest-window search ranks what it was trained for), every other pair of a batch a
negative, with a learned temperature and dropout on the input profiles. The standardisation is
folded into the first layer of the returned :class:`~seqretrieve.training.profile.Projection`,
so using it needs NumPy only (:meth:`seqretrieve.models.code_profile.CodeProfileModel.project`).

Defaults chosen on the scale benchmark's validation index (16,760 entries, 456 targets; scratch
runs of 15-30 epochs, hidden 512 or 1024, dropout 0.2-0.5, one or two towers): one shared tower,
hidden 512, dropout 0.2, batch 512, 10 epochs (later epochs overfit the 14,613 training pairs).
"""

from __future__ import annotations

from typing import Callable, Iterable

import numpy as np

from .profile import Projection, pair_profiles

#: the shipped perceptron's settings (see the module docstring)
HIDDEN, EPOCHS, BATCH, DROPOUT, LEARNING_RATE = 512, 10, 512, 0.2, 1e-3


def fit_mlp(pairs: Iterable[tuple[np.ndarray, np.ndarray]], dims: int = 64, hidden: int = HIDDEN,
            epochs: int = EPOCHS, batch: int = BATCH, dropout: float = DROPOUT, seed: int = 0,
            log: Callable[[str], None] = lambda line: None) -> Projection:
    """Train the perceptron on the code profiles of (recording codes, MIDI codes) pairs."""
    if not (dims >= 1 and hidden >= 1 and epochs >= 1 and 0 <= dropout < 1):
        raise ValueError(f"need dims, hidden, epochs >= 1 and 0 <= dropout < 1, got {dims}, {hidden}, {epochs}, {dropout}")
    recordings, midis = pair_profiles(pairs)
    if len(recordings) < 2 * batch:
        raise ValueError(f"an InfoNCE fit needs at least {2 * batch} pairs (two batches), got {len(recordings)}")
    import keras
    import tensorflow as tf

    from .losses import info_nce_loss

    keras.utils.set_random_seed(seed)
    both = np.vstack([recordings, midis])
    mean, scale = both.mean(0), both.std(0) + 1e-3
    standard = [((side - mean) / scale).astype(np.float32) for side in (recordings, midis)]
    network = keras.Sequential([keras.Input((recordings.shape[1],)), keras.layers.Dropout(dropout),
                                keras.layers.Dense(hidden, activation="relu"), keras.layers.Dense(dims)])
    log_temperature = tf.Variable(np.log(0.1 * dims), dtype=tf.float32)  # learned with the weights
    optimizer = keras.optimizers.Adam(LEARNING_RATE)
    variables = network.trainable_variables + [log_temperature]

    @tf.function
    def step(audio, midi):
        with tf.GradientTape() as tape:
            loss = info_nce_loss(network(audio, training=True), network(midi, training=True),
                                 tf.exp(log_temperature))
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss

    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        order = rng.permutation(len(recordings))
        losses = [float(step(standard[0][part], standard[1][part]))
                  for part in (order[start:start + batch] for start in range(0, len(order) - batch + 1, batch))]
        log(f"epoch {epoch + 1}/{epochs}: loss {np.mean(losses):.3f}")
    (w1, b1), (w2, b2) = (layer.get_weights() for layer in network.layers[1:])
    folded = (w1 / scale[:, None]).astype(np.float32)  # (x - mean) / scale @ w1 = (x - mean) @ folded
    return Projection(mean.astype(np.float32), w2.astype(np.float32), np.zeros(0, np.float32), "mlp",
                      hidden=(folded, b1.astype(np.float32)), bias=b2.astype(np.float32), loss=float(np.mean(losses)))
