package sga

import "io"

// bodies keeps a few reply buffers for the next replies: a listing page (supplier-sync or
// listar/veiculo) is megabytes, and reading each into a new, doubling buffer was most of what
// a sync allocated. A decoder
// gives a buffer back (give) only once nothing it decoded points into it; the decoded records
// copy their strings. Buffers above keptBody are left to the collector.
type bodies chan []byte

// Buffers from smallBody to keptBody are kept: a small reply (a login, a page count) gets a
// buffer of its own and leaves the kept ones to the pages.
const smallBody, keptBody = 64 << 10, 32 << 20

// read reads r to its end into a kept buffer, or a new one sized from size (a reply's
// Content-Length; -1 when unknown).
func (b bodies) read(r io.Reader, size int64) ([]byte, error) {
	var buf []byte
	if size < 0 || size >= smallBody {
		select {
		case buf = <-b:
		default:
		}
	}
	if size > 0 && int64(cap(buf)) < size+1 && size < maxBody {
		buf = make([]byte, 0, size+1) // +1: the read that finds the end
	}
	if cap(buf) == 0 {
		buf = make([]byte, 0, 512)
	}
	buf = buf[:0]
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // let append choose the next size
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// give hands a buffer back once nothing points into it.
func (b bodies) give(buf []byte) {
	if cap(buf) < smallBody || cap(buf) > keptBody {
		return
	}
	select {
	case b <- buf[:0]:
	default:
	}
}
