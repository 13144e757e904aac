"""Audio primitives, one module each: `synthesis` (speech as PCM), `codecs` (container writers),
`probe` (container readers) and `transcripts` (text, word timings, segments, SRT/VTT). Nothing is
re-exported: import the module you need, so each importer loads only what it uses."""
