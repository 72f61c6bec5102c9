// Package ingest is the agent's ingest path in one place: a batch read
// from a journal (or seen by the process scan) goes through the consent
// gate and the roll-up and is written, with the read positions of its
// files, in one transaction of the repository.
//
//	spool/procscan -> Batch -> gate.Rules.Apply -> rollup.Calendar.Apply -> Tx writes
package ingest

import (
	"context"
	"time"

	"teamlens/agent/internal/fileid"
	"teamlens/agent/internal/gate"
	"teamlens/agent/internal/rollup"
	"teamlens/shared/journal"
)

// HashedPrefix starts the Path of a position kept for a file outside the
// spool (a Revit journal): a hash of its path, never the path, which
// names the user. The spool neither removes nor deletes such files.
const HashedPrefix = "sha256:"

// Hashed reports whether a position's Path is a hash (HashedPrefix).
func Hashed(path string) bool {
	return len(path) > len(HashedPrefix) && path[:len(HashedPrefix)] == HashedPrefix
}

// Position is the read position of one spool file.
type Position struct {
	Path     string // the file's path, or a hash of it (Hashed)
	Dev, Ino uint64
	Offset   int64 // bytes consumed: always the end of a complete line
	Line     int64 // lines consumed, for log messages
	Skipping bool  // inside an over-long line whose end has not been read
	User     string
	Ended    bool // the file held a session.end
	Updated  time.Time
}

// Resume is where reading the file at key goes on from, given what its
// store holds of it (stored, found): the committed position, or the start
// when nothing is stored or the file was replaced (another identity) or
// truncated (shorter than the committed offset); restarted says the file
// was one of the latter two. The position takes the file's identity and
// owner from info.
func Resume(stored Position, found bool, key string, info fileid.Info) (pos Position, restarted bool) {
	if found && (stored.Dev != info.Dev || stored.Ino != info.Ino || info.Size < stored.Offset) {
		found, restarted = false, true
	}
	if !found {
		stored = Position{Path: key}
	}
	stored.Dev, stored.Ino, stored.User = info.Dev, info.Ino, info.User
	return stored, restarted
}

// Batch is what one read of a user's spool files or one process scan
// produced for one user. It is committed whole or not at all, with the
// files' new read positions: a crash can neither lose nor double it.
type Batch struct {
	User    string
	Events  []journal.Event
	Rejects map[string]int
	Samples []rollup.Sample
	Alive   []gate.Alive
	Files   []Position
}

// Result says what a commit kept.
type Result struct {
	Stored    int // events written
	Discarded int // analytics dropped unread for want of consent
}

// Reader is what a commit reads in its transaction: the rules in force
// for the batch's user, and the earlier sessions and days the roll-up extends.
type Reader interface {
	Rules() (gate.Rules, error)
	rollup.State
}

// Writer is what a commit writes in its transaction.
type Writer interface {
	PutEvents(events []journal.Event) error
	PutChanges(ch rollup.Changes) error
	PutTally(rejects map[string]int, discarded int, files []Position) error
}

// Tx is one transaction of the repository, scoped to one user's batch.
type Tx interface {
	Reader
	Writer
}

// Repo runs fn in a transaction for user's batch, committed only when fn
// succeeds, and names the local days its records are kept by.
type Repo interface {
	Ingest(ctx context.Context, user string, fn func(Tx) error) error
	Calendar() rollup.Calendar
}

// Pipeline commits batches to a repository.
type Pipeline struct {
	Repo Repo
}

// Commit runs the batch through the gate and the roll-up and writes the
// outcome in one transaction.
func (p Pipeline) Commit(ctx context.Context, b Batch) (Result, error) {
	var res Result
	err := p.Repo.Ingest(ctx, b.User, func(tx Tx) error {
		rules, err := tx.Rules()
		if err != nil {
			return err
		}
		kept := rules.Apply(b.Events, b.Alive, b.Samples)
		changes, err := p.Repo.Calendar().Apply(tx, kept.Rollup)
		if err != nil {
			return err
		}
		if err := tx.PutEvents(kept.Events); err != nil {
			return err
		}
		if err := tx.PutChanges(changes); err != nil {
			return err
		}
		res = Result{Stored: len(kept.Events), Discarded: kept.Discarded}
		return tx.PutTally(b.Rejects, kept.Discarded, b.Files)
	})
	return res, err
}
