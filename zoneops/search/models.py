# No table of its own: the indexes are kept by `index.index_sync` after each migrate (the
# module exists so that Django sends this app the post_migrate signal).
