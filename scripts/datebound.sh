#!/bin/sh
# Lists the packages whose tests write their dates through the movable
# epoch of internal/testenv (testenv.Epoch, At, Date, Dates).
cd "$(dirname "$0")/.."
git grep -lE 'testenv\.(Epoch|At|Dates?)\(' -- '*_test.go' | xargs -n1 dirname | sort -u | sed 's|^|./|'
