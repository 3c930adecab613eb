"""The shared code of the course "How transformers work".

Chapters import from here, so that a model is written once, tested once and
read in one place: `data` makes the small world, `models` holds every model of
the story, `training` and `decoding` run them, `figures` and `explorers` draw
them, and `exercises` grades the learner's answers.
"""

__version__ = "0.1.0"
