// Benchmark sample for codepulse (written for the benches; not third-party code).
'use strict';

const DEFAULTS = { retries: 3, timeout: 1000, backoff: 2 };

function sumOfPrimes(max) {
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

function getWords(number) {
  switch (number) {
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

const debounce = (fn, wait = 100) => {
  let timer = null;
  return function debounced(...args) {
    if (timer !== null) {
      clearTimeout(timer);
    }
    timer = setTimeout(() => {
      timer = null;
      fn.apply(this, args);
    }, wait);
  };
};

async function fetchWithRetry(url, options = {}) {
  const { retries, timeout, backoff } = { ...DEFAULTS, ...options };
  let delay = timeout;
  for (let attempt = 0; attempt <= retries; attempt++) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(timeout) });
      if (response.ok) {
        return await response.json();
      }
      if (response.status >= 400 && response.status < 500 && response.status !== 429) {
        throw new Error(`client error ${response.status}`);
      }
    } catch (err) {
      if (attempt === retries || (err && err.message && err.message.startsWith('client'))) {
        throw err;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay *= backoff;
  }
  return null;
}

class LruCache {
  constructor(capacity) {
    if (!Number.isInteger(capacity) || capacity <= 0) {
      throw new RangeError('capacity must be a positive integer');
    }
    this.capacity = capacity;
    this.map = new Map();
  }

  get(key) {
    if (!this.map.has(key)) {
      return undefined;
    }
    const value = this.map.get(key);
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  set(key, value) {
    if (this.map.has(key)) {
      this.map.delete(key);
    } else if (this.map.size >= this.capacity) {
      const oldest = this.map.keys().next().value;
      this.map.delete(oldest);
    }
    this.map.set(key, value);
    return this;
  }
}

function deepEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return false;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  for (const key of keysA) {
    if (!Object.prototype.hasOwnProperty.call(b, key) || !deepEqual(a[key], b[key])) {
      return false;
    }
  }
  return true;
}

function parseQuery(query) {
  const result = {};
  const text = query.startsWith('?') ? query.slice(1) : query;
  for (const part of text.split('&')) {
    if (!part) continue;
    const [rawKey, rawValue = ''] = part.split('=');
    const key = decodeURIComponent(rawKey);
    const value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
    if (key in result) {
      result[key] = Array.isArray(result[key]) ? [...result[key], value] : [result[key], value];
    } else {
      result[key] = value;
    }
  }
  return result;
}

const groupBy = (items, keyFn) =>
  items.reduce((acc, item) => {
    const key = keyFn(item) ?? 'undefined';
    (acc[key] ||= []).push(item);
    return acc;
  }, {});

function TodoList({ items, onToggle, filter = 'all' }) {
  const visible = items.filter((item) =>
    filter === 'all' ? true : filter === 'done' ? item.done : !item.done,
  );
  if (visible.length === 0) {
    return <p className="empty">Nothing to do</p>;
  }
  return (
    <ul>
      {visible.map((item) => (
        <li key={item.id} onClick={() => onToggle && onToggle(item.id)}>
          {item.done ? <s>{item.title}</s> : item.title}
        </li>
      ))}
    </ul>
  );
}

function walkTree(node, visit, depth = 0) {
  if (!node) return 0;
  let count = visit(node, depth) === false ? 0 : 1;
  const children = node.children || [];
  for (let i = 0; i < children.length; i++) {
    count += walkTree(children[i], visit, depth + 1);
  }
  return count;
}

module.exports = {
  sumOfPrimes,
  getWords,
  debounce,
  fetchWithRetry,
  LruCache,
  deepEqual,
  parseQuery,
  groupBy,
  TodoList,
  walkTree,
};
