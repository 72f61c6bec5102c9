// Package fileid opens spool files safely and tells who owns them: the
// owner of a journal file is the user its events belong to.
package fileid

import (
	"os"
	"sync"
	"time"
)

// Info identifies an open file.
type Info struct {
	Dev, Ino uint64 // identity: a replaced file has another
	Size     int64
	ModTime  time.Time
	User     string // login of the owner
}

// Resolver maps owners to login names, caching the answers.
type Resolver struct {
	mu    sync.Mutex
	names map[string]string
}

func (r *Resolver) cached(id string, lookup func(string) (string, error)) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if name, ok := r.names[id]; ok {
		return name, nil
	}
	name, err := lookup(id)
	if err != nil {
		return "", err
	}
	if r.names == nil {
		r.names = map[string]string{}
	}
	r.names[id] = name
	return name, nil
}

// Open opens a regular file for reading without following a symbolic link
// (a user could otherwise point the service at a file they cannot read)
// and describes it from the open handle, so what is read and whose it is
// cannot change between the two.
func (r *Resolver) Open(path string) (*os.File, Info, error) {
	f, err := openNoFollow(path)
	if err != nil {
		return nil, Info{}, err
	}
	info, err := r.describe(f)
	if err != nil {
		f.Close()
		return nil, Info{}, err
	}
	return f, info, nil
}
