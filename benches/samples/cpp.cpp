// Benchmark sample for codepulse (written for the benches; not third-party code).
#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace geo {

struct Point {
    double x = 0, y = 0;
};

class Shape {
public:
    virtual ~Shape() = default;
    virtual double area() const = 0;
    virtual std::string name() const = 0;
};

class Polygon : public Shape {
public:
    explicit Polygon(std::vector<Point> pts) : pts_(std::move(pts)) {
        if (pts_.size() < 3) {
            throw std::invalid_argument("a polygon needs three points");
        }
    }

    double area() const override {
        double sum = 0;
        for (size_t i = 0; i < pts_.size(); ++i) {
            const Point &a = pts_[i];
            const Point &b = pts_[(i + 1) % pts_.size()];
            sum += a.x * b.y - b.x * a.y;
        }
        return sum < 0 ? -sum / 2 : sum / 2;
    }

    std::string name() const override { return "polygon"; }

    bool contains(Point p) const {
        bool inside = false;
        for (size_t i = 0, j = pts_.size() - 1; i < pts_.size(); j = i++) {
            const Point &a = pts_[i], &b = pts_[j];
            if ((a.y > p.y) != (b.y > p.y) &&
                p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x) {
                inside = !inside;
            }
        }
        return inside;
    }

private:
    std::vector<Point> pts_;
};

}  // namespace geo

template <typename T>
class RingBuffer {
public:
    explicit RingBuffer(size_t capacity) : data_(capacity) {}

    bool push(const T &value) {
        if (size_ == data_.size()) {
            return false;
        }
        data_[(head_ + size_) % data_.size()] = value;
        ++size_;
        return true;
    }

    std::optional<T> pop() {
        if (size_ == 0) {
            return std::nullopt;
        }
        T value = data_[head_];
        head_ = (head_ + 1) % data_.size();
        --size_;
        return value;
    }

private:
    std::vector<T> data_;
    size_t head_ = 0, size_ = 0;
};

int sumOfPrimes(int max) {
    int total = 0;
    for (int i = 1; i <= max; ++i) {
        bool prime = true;
        for (int j = 2; j < i; ++j) {
            if (i % j == 0) {
                prime = false;
                break;
            }
        }
        if (prime) total += i;
    }
    return total;
}

const char *getWords(int number) {
    switch (number) {
        case 1: return "one";
        case 2: return "a couple";
        case 3: return "a few";
        default: return "lots";
    }
}

std::map<std::string, int> countWords(const std::vector<std::string> &words, size_t minLen) {
    std::map<std::string, int> counts;
    for (const auto &w : words) {
        if (w.size() < minLen || w.empty()) continue;
        std::string lower(w);
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        ++counts[lower];
    }
    return counts;
}

int parsePort(const std::string &text) {
    try {
        size_t used = 0;
        int port = std::stoi(text, &used);
        if (used != text.size() || port <= 0 || port > 65535) {
            return -1;
        }
        return port;
    } catch (const std::invalid_argument &) {
        return -1;
    } catch (const std::out_of_range &) {
        return -2;
    }
}

std::vector<std::unique_ptr<geo::Shape>> largest(std::vector<std::unique_ptr<geo::Shape>> shapes,
                                                 size_t n) {
    auto byArea = [](const auto &a, const auto &b) { return a->area() > b->area(); };
    std::sort(shapes.begin(), shapes.end(), byArea);
    if (shapes.size() > n) {
        shapes.resize(n);
    }
    return shapes;
}

unsigned long long fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int binarySearch(const std::vector<int> &v, int target) {
    int lo = 0, hi = static_cast<int>(v.size()) - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (v[mid] == target) {
            return mid;
        } else if (v[mid] < target) {
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return -1;
}
