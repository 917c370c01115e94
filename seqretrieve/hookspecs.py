"""Every hook a seqretrieve plugin can implement.

Each component hook returns a list of :class:`seqretrieve.types.ComponentSpec` (or
:class:`~seqretrieve.types.PipelineSpec`) records; the registry merges the lists of all plugins,
keeping the first record of a name registered twice (built-ins come first) and warning about
the other. Built-in components are registered
through these same hooks (see ``seqretrieve/registry.py``: ``BUILTIN_PLUGINS``).

A plugin is a module (or object) with functions marked ``@seqretrieve.hookimpl``, published
under the entry-point group ``seqretrieve``. See ``docs/plugins.md`` for a runnable example of
each hook.
"""

from __future__ import annotations

import pluggy

PROJECT_NAME = "seqretrieve"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def seqretrieve_feature_extractors():
    """Feature extractors: ComponentSpec whose factory returns a ``FeatureExtractor``.

    Example::

        @hookimpl
        def seqretrieve_feature_extractors():
            return [ComponentSpec("chroma", ChromaExtractor, version="1")]
    """


@hookspec
def seqretrieve_synthesizers():
    """MIDI synthesizers: ComponentSpec whose factory returns a ``Synthesizer``.

    Example::

        @hookimpl
        def seqretrieve_synthesizers():
            return [ComponentSpec("fluidsynth", FluidSynth, parameters={"soundfont": None})]
    """


@hookspec
def seqretrieve_representations():
    """Learned representations: ComponentSpec whose factory returns a ``Representation``.

    Example::

        @hookimpl
        def seqretrieve_representations():
            return [ComponentSpec("my-hash", MyHashModel, version="2")]
    """


@hookspec
def seqretrieve_matchers():
    """Matchers: ComponentSpec whose factory returns a ``Matcher``.

    Example::

        @hookimpl
        def seqretrieve_matchers():
            return [ComponentSpec("chroma-dtw", ChromaDTWMatcher)]
    """


@hookspec
def seqretrieve_pipelines():
    """Matcher cascades: a list of ``PipelineSpec``; each stage keeps the top N for the next.

    Example::

        @hookimpl
        def seqretrieve_pipelines():
            return [PipelineSpec("fast", [PipelineStage("embedding", 1000), PipelineStage("dtw")])]
    """


@hookspec
def seqretrieve_metadata_readers():
    """Catalogue readers: ComponentSpec whose factory returns a ``MetadataReader``.

    Example::

        @hookimpl
        def seqretrieve_metadata_readers():
            return [ComponentSpec("jsonl", JsonLinesReader)]
    """


@hookspec
def seqretrieve_text_normalizers():
    """Text-cleaning rules for artist/title strings: ComponentSpec whose factory returns a rule.

    See ``seqretrieve/metadata`` for the rule protocol. Example::

        @hookimpl
        def seqretrieve_text_normalizers():
            return [ComponentSpec("strip-karaoke", StripWordRule, parameters={"word": "karaoke"})]
    """


@hookspec
def seqretrieve_text_matchers():
    """Text matchers that score (artist, title) pairs against a catalogue.

    Example::

        @hookimpl
        def seqretrieve_text_matchers():
            return [ComponentSpec("exact", ExactMatcher)]
    """


@hookspec
def seqretrieve_register_commands(app):
    """Add CLI commands: receives the root ``typer.Typer`` of ``seqretrieve``.

    Example::

        @hookimpl
        def seqretrieve_register_commands(app):
            @app.command()
            def hello():
                print("hello")
    """
