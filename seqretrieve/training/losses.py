"""The guide's contrastive loss (section 1.3) and the Bhattacharyya separation measure.

Loss over outputs ``a`` (audio side) and ``m`` (MIDI side), both (B, K) or (B, T', K), where
``a[i]`` matches ``m[i]``:
``mean(|a_i - m_i|^2) + alpha * mean(max(0, margin - |a_i - m_j|)^2) + beta * mean(|a|^2 + |m|^2)``
where ``m_j`` is another song's output at the same position (the batch axis rolled by one).
"""

from __future__ import annotations

import numpy as np


def contrastive_loss(a, m, alpha: float = 5.3, margin: float = 4.0, beta: float = 0.05):
    """TensorFlow loss for matched ``a``, ``m``: (B, ..., K) each -> scalar."""
    import tensorflow as tf

    k = tf.shape(a)[-1]
    m_other = tf.reshape(tf.roll(m, 1, axis=0), [-1, k])
    a, m = tf.reshape(a, [-1, k]), tf.reshape(m, [-1, k])
    positive = tf.reduce_sum(tf.square(a - m), axis=-1)
    negative = tf.sqrt(tf.reduce_sum(tf.square(a - m_other), axis=-1) + 1e-8)
    magnitude = tf.reduce_mean(tf.square(a), axis=-1) + tf.reduce_mean(tf.square(m), axis=-1)
    return (
        tf.reduce_mean(positive)
        + alpha * tf.reduce_mean(tf.square(tf.nn.relu(margin - negative)))
        + beta * tf.reduce_mean(magnitude)
    )


def info_nce_loss(a, m, temperature: float = 4.0):
    """Symmetric InfoNCE over a batch of embeddings ``a``, ``m``: (B, K) -> scalar.

    Logits are ``-|m_i - a_j|^2 / temperature``; every other song in the batch is a negative
    (B - 1 per pair instead of the contrastive loss's one), which trains PSE much faster.
    """
    import tensorflow as tf

    d = tf.reduce_sum(tf.square(m[:, None, :] - a[None, :, :]), axis=-1)  # (B MIDI, B audio)
    labels = tf.range(tf.shape(a)[0])
    logits = -d / temperature
    ce = tf.keras.losses.sparse_categorical_crossentropy
    return 0.5 * (tf.reduce_mean(ce(labels, logits, from_logits=True))
                  + tf.reduce_mean(ce(labels, tf.transpose(logits), from_logits=True)))


def bhattacharyya(matched: np.ndarray, unmatched: np.ndarray, bins: int = 64) -> float:
    """Overlap of two distance distributions in [0, 1] (0 = perfectly separated).

    ``matched``, ``unmatched``: 1-D distances; histograms share ``bins`` bins over their range.
    """
    matched = np.asarray(matched, np.float64)
    unmatched = np.asarray(unmatched, np.float64)
    low = min(matched.min(), unmatched.min())
    high = max(matched.max(), unmatched.max())
    if high <= low:
        return 1.0
    edges = np.linspace(low, high, bins + 1)
    p = np.histogram(matched, edges)[0] / len(matched)
    q = np.histogram(unmatched, edges)[0] / len(unmatched)
    return float(np.sum(np.sqrt(p * q)))
