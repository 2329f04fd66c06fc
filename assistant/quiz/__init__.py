"""Quiz builder for trainers: grounded items from the reports, exported for learning platforms.

`models` (the item contract), `facts` (what can be asked), `distractors`, `builder` (generation
and checks), `ids` (stateless quiz ids), `export` (GIFT, Aiken, Moodle XML, CSV, JSON) and
`service` (the entry points the API and the CLI call).
"""
