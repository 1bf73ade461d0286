// Benchmark sample for codepulse (written for the benches; not third-party code).
import { useCallback, useEffect, useMemo, useReducer, useState } from 'react';

type Item = { id: string; title: string; done: boolean; tags: string[] };
type Filter = 'all' | 'open' | 'done';

type Action =
  | { type: 'add'; title: string }
  | { type: 'toggle'; id: string }
  | { type: 'remove'; id: string }
  | { type: 'rename'; id: string; title: string };

function reducer(state: Item[], action: Action): Item[] {
  switch (action.type) {
    case 'add':
      if (!action.title.trim()) {
        return state;
      }
      return [...state, { id: String(Date.now()), title: action.title.trim(), done: false, tags: [] }];
    case 'toggle':
      return state.map((it) => (it.id === action.id ? { ...it, done: !it.done } : it));
    case 'remove':
      return state.filter((it) => it.id !== action.id);
    case 'rename':
      return state.map((it) =>
        it.id === action.id && action.title.length > 0 ? { ...it, title: action.title } : it,
      );
    default:
      return state;
  }
}

export function sumOfPrimes(max: number): number {
  let total = 0;
  OUT: for (let i = 1; i <= max; ++i) {
    for (let j = 2; j < i; ++j) {
      if (i % j === 0) {
        continue OUT;
      }
    }
    total += i;
  }
  return total;
}

export function getWords(n: number): string {
  switch (n) {
    case 1:
      return 'one';
    case 2:
      return 'a couple';
    case 3:
      return 'a few';
    default:
      return 'lots';
  }
}

function useDebounced<T>(value: T, delay = 200): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(value), delay);
    return () => clearTimeout(t);
  }, [value, delay]);
  return debounced;
}

export function TagList({ tags, onRemove }: { tags: string[]; onRemove?: (t: string) => void }) {
  if (tags.length === 0) {
    return null;
  }
  return (
    <span className="tags">
      {tags.map((tag) => (
        <button key={tag} disabled={!onRemove} onClick={() => onRemove && onRemove(tag)}>
          {tag}
        </button>
      ))}
    </span>
  );
}

export function TodoRow({ item, dispatch }: { item: Item; dispatch: (a: Action) => void }) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(item.title);
  const commit = () => {
    if (draft !== item.title && draft.trim() !== '') {
      dispatch({ type: 'rename', id: item.id, title: draft });
    }
    setEditing(false);
  };
  return (
    <li className={item.done ? 'done' : undefined}>
      <input type="checkbox" checked={item.done} onChange={() => dispatch({ type: 'toggle', id: item.id })} />
      {editing ? (
        <input
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') commit();
            else if (e.key === 'Escape') setEditing(false);
          }}
        />
      ) : (
        <span onDoubleClick={() => setEditing(true)}>{item.title}</span>
      )}
      <TagList tags={item.tags} />
      <button onClick={() => dispatch({ type: 'remove', id: item.id })}>×</button>
    </li>
  );
}

export default function TodoApp({ initial = [] }: { initial?: Item[] }) {
  const [items, dispatch] = useReducer(reducer, initial);
  const [filter, setFilter] = useState<Filter>('all');
  const [query, setQuery] = useState('');
  const debouncedQuery = useDebounced(query);

  const visible = useMemo(() => {
    const q = debouncedQuery.toLowerCase();
    return items.filter((it) => {
      if (filter === 'open' && it.done) return false;
      if (filter === 'done' && !it.done) return false;
      return q === '' || it.title.toLowerCase().includes(q) || it.tags.some((t) => t.includes(q));
    });
  }, [items, filter, debouncedQuery]);

  const onSubmit = useCallback(
    (e: { preventDefault(): void; currentTarget: { title: { value: string } } }) => {
      e.preventDefault();
      dispatch({ type: 'add', title: e.currentTarget.title.value });
    },
    [],
  );

  const remaining = items.filter((it) => !it.done).length;
  return (
    <section>
      <form onSubmit={onSubmit as never}>
        <input name="title" placeholder="What needs doing?" />
      </form>
      <input value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Search" />
      <nav>
        {(['all', 'open', 'done'] as const).map((f) => (
          <button key={f} aria-pressed={f === filter} onClick={() => setFilter(f)}>
            {f}
          </button>
        ))}
      </nav>
      {visible.length > 0 ? (
        <ul>
          {visible.map((it) => (
            <TodoRow key={it.id} item={it} dispatch={dispatch} />
          ))}
        </ul>
      ) : (
        <p>{items.length === 0 ? 'Nothing yet' : 'No match'}</p>
      )}
      <footer>
        {remaining} {remaining === 1 ? 'item' : 'items'} left
      </footer>
    </section>
  );
}
