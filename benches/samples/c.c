/* Benchmark sample for codepulse (written for the benches; not third-party code). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 64

struct entry {
    char *key;
    long value;
    struct entry *next;
};

struct table {
    struct entry *buckets[BUCKETS];
    size_t count;
};

static unsigned long hash(const char *s)
{
    unsigned long h = 5381;
    int c;
    while ((c = (unsigned char)*s++) != 0)
        h = ((h << 5) + h) ^ (unsigned long)c;
    return h;
}

int table_put(struct table *t, const char *key, long value)
{
    unsigned long b = hash(key) % BUCKETS;
    struct entry *e;
    for (e = t->buckets[b]; e != NULL; e = e->next) {
        if (strcmp(e->key, key) == 0) {
            e->value = value;
            return 0;
        }
    }
    e = malloc(sizeof *e);
    if (e == NULL)
        return -ENOMEM;
    e->key = strdup(key);
    if (e->key == NULL) {
        free(e);
        return -ENOMEM;
    }
    e->value = value;
    e->next = t->buckets[b];
    t->buckets[b] = e;
    t->count++;
    return 1;
}

long *table_get(struct table *t, const char *key)
{
    struct entry *e = t->buckets[hash(key) % BUCKETS];
    while (e && strcmp(e->key, key) != 0)
        e = e->next;
    return e ? &e->value : NULL;
}

void table_free(struct table *t)
{
    for (int i = 0; i < BUCKETS; i++) {
        struct entry *e = t->buckets[i];
        while (e) {
            struct entry *next = e->next;
            free(e->key);
            free(e);
            e = next;
        }
        t->buckets[i] = NULL;
    }
    t->count = 0;
}

int sum_of_primes(int max)
{
    int total = 0;
    for (int i = 1; i <= max; ++i) {
        for (int j = 2; j < i; ++j) {
            if (i % j == 0) {
                goto next;
            }
        }
        total += i;
next:;
    }
    return total;
}

const char *get_words(int number)
{
    switch (number) {
    case 1:
        return "one";
    case 2:
        return "a couple";
    case 3:
        return "a few";
    default:
        return "lots";
    }
}

static int parse_line(char *line, char **key, long *value)
{
    char *eq, *end;
    while (isspace((unsigned char)*line))
        line++;
    if (*line == '\0' || *line == '#')
        return 0;
    eq = strchr(line, '=');
    if (!eq)
        return -1;
    *eq = '\0';
    for (end = eq - 1; end > line && isspace((unsigned char)*end); end--)
        *end = '\0';
    errno = 0;
    *value = strtol(eq + 1, &end, 10);
    if (errno != 0 || (*end != '\0' && *end != '\n'))
        return -1;
    *key = line;
    return 1;
}

int load_config(const char *path, struct table *t)
{
    char buf[256];
    int lineno = 0, loaded = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return -errno;
    while (fgets(buf, sizeof buf, f)) {
        char *key;
        long value;
        int rc;
        lineno++;
        rc = parse_line(buf, &key, &value);
        if (rc < 0) {
            fprintf(stderr, "%s:%d: syntax error\n", path, lineno);
            goto fail;
        } else if (rc > 0 && table_put(t, key, value) < 0) {
            goto fail;
        }
        loaded += rc;
    }
    fclose(f);
    return loaded;
fail:
    fclose(f);
    return -1;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

long median(long *values, size_t n)
{
    if (n == 0)
        return 0;
    qsort(values, n, sizeof *values, cmp_long);
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

size_t rle_encode(const unsigned char *in, size_t n, unsigned char *out, size_t cap)
{
    size_t i = 0, o = 0;
    while (i < n) {
        size_t run = 1;
        while (i + run < n && in[i + run] == in[i] && run < 255)
            run++;
        if (o + 2 > cap)
            return 0;
        out[o++] = (unsigned char)run;
        out[o++] = in[i];
        i += run;
    }
    return o;
}

unsigned long factorial(unsigned n)
{
    return n <= 1 ? 1 : n * factorial(n - 1);
}
