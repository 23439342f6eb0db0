"""Text classification of threat descriptions: techniques, custom label sets, novelty and emerging threats.

Pure Python on scikit-learn and numpy (no Django): the catalogue app builds training data from the
stored catalogue and calls into here; the CLI trains and evaluates custom models with the same code.
"""

from aisms.domain.classify.datatypes import (
    Classification,
    EmergingCluster,
    LabelledText,
    Prediction,
)

__all__ = ["Classification", "EmergingCluster", "LabelledText", "Prediction"]
