// Benchmark sample for codepulse (written for the benches; not third-party code).
package sample

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

var ErrClosed = errors.New("queue closed")

type Job struct {
	ID       int
	Payload  string
	Attempts int
}

type Queue struct {
	mu     sync.Mutex
	jobs   []Job
	closed bool
	notify chan struct{}
}

func NewQueue() *Queue {
	return &Queue{notify: make(chan struct{}, 1)}
}

func (q *Queue) Push(j Job) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return ErrClosed
	}
	q.jobs = append(q.jobs, j)
	select {
	case q.notify <- struct{}{}:
	default:
	}
	return nil
}

func (q *Queue) Pop(ctx context.Context) (Job, error) {
	for {
		q.mu.Lock()
		if len(q.jobs) > 0 {
			j := q.jobs[0]
			q.jobs = q.jobs[1:]
			q.mu.Unlock()
			return j, nil
		}
		closed := q.closed
		q.mu.Unlock()
		if closed {
			return Job{}, ErrClosed
		}
		select {
		case <-ctx.Done():
			return Job{}, ctx.Err()
		case <-q.notify:
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (q *Queue) Close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
}

func RunWorkers(ctx context.Context, q *Queue, n int, handle func(Job) error) []error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(worker int) {
			defer wg.Done()
			for {
				j, err := q.Pop(ctx)
				if err != nil {
					return
				}
				if err := handle(j); err != nil && j.Attempts < 3 {
					j.Attempts++
					_ = q.Push(j)
				} else if err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("worker %d job %d: %w", worker, j.ID, err))
					mu.Unlock()
				}
			}
		}(i)
	}
	wg.Wait()
	return errs
}

func SumOfPrimes(max int) int {
	total := 0
OUT:
	for i := 1; i <= max; i++ {
		for j := 2; j < i; j++ {
			if i%j == 0 {
				continue OUT
			}
		}
		total += i
	}
	return total
}

func GetWords(number int) string {
	switch number {
	case 1:
		return "one"
	case 2:
		return "a couple"
	case 3:
		return "a few"
	default:
		return "lots"
	}
}

func ParseHeader(line string) (string, string, error) {
	name, value, ok := strings.Cut(line, ":")
	if !ok {
		return "", "", fmt.Errorf("malformed header %q", line)
	}
	name = strings.TrimSpace(name)
	if name == "" || strings.ContainsAny(name, " \t") {
		return "", "", fmt.Errorf("bad header name %q", name)
	}
	return strings.ToLower(name), strings.TrimSpace(value), nil
}

type Stats struct {
	Count         int
	Min, Max, Avg float64
}

func Summarize(values []float64) (Stats, bool) {
	if len(values) == 0 {
		return Stats{}, false
	}
	s := Stats{Count: len(values), Min: values[0], Max: values[0]}
	sum := 0.0
	for _, v := range values {
		if v < s.Min {
			s.Min = v
		}
		if v > s.Max {
			s.Max = v
		}
		sum += v
	}
	s.Avg = sum / float64(len(values))
	return s, true
}

func TopWords(text string, n int) []string {
	counts := map[string]int{}
	for _, w := range strings.Fields(text) {
		w = strings.Trim(strings.ToLower(w), ".,;:!?\"'")
		if len(w) > 2 {
			counts[w]++
		}
	}
	words := make([]string, 0, len(counts))
	for w := range counts {
		words = append(words, w)
	}
	sort.Slice(words, func(i, j int) bool {
		if counts[words[i]] != counts[words[j]] {
			return counts[words[i]] > counts[words[j]]
		}
		return words[i] < words[j]
	})
	if len(words) > n {
		words = words[:n]
	}
	return words
}

func Describe(v interface{}) string {
	switch x := v.(type) {
	case nil:
		return "nil"
	case int, int64:
		return fmt.Sprintf("integer %v", x)
	case string:
		if x == "" {
			return "empty string"
		}
		return "string " + x
	case error:
		return "error " + x.Error()
	default:
		return fmt.Sprintf("%T", x)
	}
}

func Gcd(a, b int) int {
	if b == 0 {
		return a
	}
	return Gcd(b, a%b)
}
