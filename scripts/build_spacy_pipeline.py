"""Build the offline spaCy pipeline that Rasa's SpacyNLP loads.

No pretrained pipeline (en_core_web_*) can be downloaded here, so we package a
blank English pipeline with a lookup lemmatizer whose tables come from the
spacy-lookups-data wheel, and install it into the virtualenv like any spaCy
model package. Rasa then loads it by name (see config.yml).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import spacy
from spacy.cli.package import package

NAME = "pct_lookup"  # spaCy prefixes the language: the package is en_pct_lookup
VERSION = "1.0.0"


def build(pipeline_dir: Path) -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()  # loads the lemma lookup table from spacy-lookups-data
    nlp.meta.update(
        name=NAME,
        version=VERSION,
        description="Blank English tokenizer with lookup lemmas, built offline.",
        license="MIT",
    )
    nlp.to_disk(pipeline_dir)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--install", action="store_true", help="pip install it")
    parser.add_argument("--quiet", action="store_true", help="less pip output")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pipeline_dir = Path(tmp, "pipeline")
        dist_dir = Path(tmp, "dist")
        dist_dir.mkdir()
        build(pipeline_dir)
        package(pipeline_dir, dist_dir, create_sdist=True, force=True, silent=True)
        sdist = next(dist_dir.glob(f"en_{NAME}-{VERSION}/dist/*.tar.gz"))
        if args.install:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "install",
                    "--no-deps",
                    "--no-index",
                    "--no-build-isolation",
                    "--force-reinstall",
                    str(sdist),
                    *(["--quiet"] if args.quiet else []),
                ],
                check=True,
            )


if __name__ == "__main__":
    main()
