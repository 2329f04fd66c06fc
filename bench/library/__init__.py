"""A synthetic national library of case reviews: report-like PDFs for parser tests, and N seeded
reviews on varied safeguarding themes with a corpus manifest, for evaluation and load at scale.

`python -m bench.library --reports 1000 --seed 0 --out DIR` writes DIR/manifest.toml,
DIR/briefings/ and DIR/raw/<id>.pdf.
"""
