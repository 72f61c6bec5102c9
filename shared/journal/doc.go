// Package journal is the contract between a CAD product and the agent: the
// event lines a product appends to the spool, the sanitizer that lets only
// the allowed types and fields through, and a small writer for products and
// plug-ins written in Go. docs/journal.md documents the lines for other languages.
package journal
