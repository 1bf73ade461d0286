// Benchmark sample for codepulse (written for the benches; not third-party code).
package sample;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

public class Sample {
    private final Map<String, Integer> stock = new HashMap<>();
    private final List<String> log = new ArrayList<>();

    int sumOfPrimes(int max) {
        int total = 0;
        OUT: for (int i = 1; i <= max; ++i) {
            for (int j = 2; j < i; ++j) {
                if (i % j == 0) {
                    continue OUT;
                }
            }
            total += i;
        }
        return total;
    }

    String getWords(int number) {
        switch (number) {
            case 1: return "one";
            case 2: return "a couple";
            case 3: return "a few";
            default: return "lots";
        }
    }

    public int add(String sku, int qty) {
        if (sku == null || sku.isEmpty()) {
            throw new IllegalArgumentException("sku");
        }
        if (qty <= 0) {
            return stock.getOrDefault(sku, 0);
        }
        int now = stock.merge(sku, qty, Integer::sum);
        log.add("add " + sku + " " + qty);
        return now;
    }

    public boolean remove(String sku, int qty) {
        Integer have = stock.get(sku);
        if (have == null || have < qty) {
            log.add("refused " + sku);
            return false;
        } else if (have == qty) {
            stock.remove(sku);
        } else {
            stock.put(sku, have - qty);
        }
        log.add("remove " + sku + " " + qty);
        return true;
    }

    public List<String> lowStock(int threshold) {
        return stock.entrySet().stream()
                .filter(e -> e.getValue() < threshold && !e.getKey().startsWith("_"))
                .map(Map.Entry::getKey)
                .sorted()
                .collect(Collectors.toList());
    }

    public static Optional<Integer> parsePort(String text) {
        try {
            int port = Integer.parseInt(text.trim());
            return port > 0 && port <= 65535 ? Optional.of(port) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        } finally {
            text = null;
        }
    }

    static int binarySearch(int[] values, int target) {
        int lo = 0;
        int hi = values.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (values[mid] == target) {
                return mid;
            } else if (values[mid] < target) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return -1;
    }

    static long fib(int n) {
        return n < 2 ? n : fib(n - 1) + fib(n - 2);
    }

    static String classify(Object o) {
        if (o instanceof Integer i && i > 0) {
            return "positive int";
        } else if (o instanceof String s) {
            return s.isEmpty() ? "empty string" : "string";
        }
        return switch (o == null ? "null" : o.getClass().getSimpleName()) {
            case "Double", "Float" -> "floating";
            case "null" -> "nothing";
            default -> "other";
        };
    }

    static <K, V> Map<V, List<K>> invert(Map<K, V> map) {
        Map<V, List<K>> out = new HashMap<>();
        for (Map.Entry<K, V> e : map.entrySet()) {
            out.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(e.getKey());
        }
        return out;
    }

    static String wrap(String text, int width) {
        StringBuilder sb = new StringBuilder();
        int col = 0;
        for (String word : text.split("\\s+")) {
            if (word.isEmpty()) {
                continue;
            }
            if (col > 0 && col + 1 + word.length() > width) {
                sb.append('\n');
                col = 0;
            } else if (col > 0) {
                sb.append(' ');
                col++;
            }
            sb.append(word);
            col += word.length();
        }
        return sb.toString();
    }

    interface Visitor<R> {
        R leaf(int value);
        R node(Tree left, Tree right);
    }

    static final class Tree {
        final Tree left;
        final Tree right;
        final int value;

        Tree(Tree left, Tree right, int value) {
            this.left = left;
            this.right = right;
            this.value = value;
        }

        <R> R accept(Visitor<R> v) {
            return left == null && right == null ? v.leaf(value) : v.node(left, right);
        }

        int depth() {
            int l = left == null ? 0 : left.depth();
            int r = right == null ? 0 : right.depth();
            return 1 + Math.max(l, r);
        }
    }

    static final Function<String, String> NORMALIZE = s -> s == null ? "" : s.trim().toLowerCase();
}
