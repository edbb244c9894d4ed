"""全局搜索: one box across the registers that finds Chinese substrings of any length, names,
former names, credit codes and record numbers, scoped like every list.

An app makes its records searchable on its AppConfig, naming nothing of this app:

    search_kinds = {
        "<model name>": {
            "fields": ("name", "former_names", "id"),  # substrings; "id" is matched whole
            "related": ("item",),  # optional: what the record's title (str) reads
            "order": 10,  # optional: its place among the kinds
        },
    }

`kinds.search_kinds()` collects them. `index` keeps one index per kind in the database,
written by the database itself so every write path (ORM, bulk writer, raw SQL) keeps it right:
on SQLite an FTS5 table with the trigram tokenizer fed by triggers on the record's table, on
PostgreSQL a GIN pg_trgm index on the record's searchable text; beside it, for terms of one or
two characters, an index of the text's single characters and pairs (an FTS5 table fed by the
same triggers, a GIN on `search_grams()`). `index.index_sync` creates them
after every `migrate` (and rebuilds them from the rows already there) when they are missing or
the declarations changed. `selectors.search` answers the box.
"""
