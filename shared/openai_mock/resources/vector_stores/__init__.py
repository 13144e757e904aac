"""Vector stores: stores, attached files, file batches, and the search the `file_search` tools use.

    from openai_mock.resources.vector_stores.search import search
    search(tenant, ["vs_…"], "query", max_num_results=10, filters=None, ranking_options=None)
    -> [{"file_id", "filename", "score", "attributes", "content": [{"type": "text", "text"}]}, …]

Modules: `params` (request bodies and checks), `chunking` (text extraction, token chunks), `index`
(embeddings and hybrid scoring), `tally` (file counts and usage), `records` (stored state, lookups and views),
`vector_stores`, `files` (attaching files, file operations), `file_batches`, `search`."""
