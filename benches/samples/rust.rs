// Benchmark sample for codepulse (written for the benches; not third-party code).
use std::collections::HashMap;
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    Number(f64),
    Ident(String),
    Op(char),
    LParen,
    RParen,
    Comma,
}

#[derive(Debug)]
pub enum LexError {
    Unexpected(char, usize),
    BadNumber(String),
}

impl fmt::Display for LexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LexError::Unexpected(c, at) => write!(f, "unexpected {c:?} at {at}"),
            LexError::BadNumber(s) => write!(f, "bad number {s}"),
        }
    }
}

pub fn tokenize(input: &str) -> Result<Vec<Token>, LexError> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() || (c == '.' && i + 1 < chars.len() && chars[i + 1].is_ascii_digit()) {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            let value = text.parse::<f64>().map_err(|_| LexError::BadNumber(text.clone()))?;
            tokens.push(Token::Number(value));
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(Token::Ident(chars[start..i].iter().collect()));
        } else {
            let token = match c {
                '+' | '-' | '*' | '/' | '^' | '%' => Token::Op(c),
                '(' => Token::LParen,
                ')' => Token::RParen,
                ',' => Token::Comma,
                other => return Err(LexError::Unexpected(other, i)),
            };
            tokens.push(token);
            i += 1;
        }
    }
    Ok(tokens)
}

fn precedence(op: char) -> (u8, bool) {
    match op {
        '+' | '-' => (1, false),
        '*' | '/' | '%' => (2, false),
        '^' => (3, true),
        _ => (0, false),
    }
}

pub fn to_rpn(tokens: &[Token]) -> Option<Vec<Token>> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut stack: Vec<Token> = Vec::new();
    for token in tokens {
        match token {
            Token::Number(_) | Token::Ident(_) => out.push(token.clone()),
            Token::Op(op) => {
                let (p, right) = precedence(*op);
                while let Some(Token::Op(top)) = stack.last() {
                    let (q, _) = precedence(*top);
                    if q > p || (q == p && !right) {
                        out.push(stack.pop()?);
                    } else {
                        break;
                    }
                }
                stack.push(token.clone());
            }
            Token::LParen => stack.push(Token::LParen),
            Token::RParen => loop {
                match stack.pop() {
                    Some(Token::LParen) => break,
                    Some(t) => out.push(t),
                    None => return None,
                }
            },
            Token::Comma => {}
        }
    }
    while let Some(t) = stack.pop() {
        if t == Token::LParen {
            return None;
        }
        out.push(t);
    }
    Some(out)
}

pub struct Evaluator {
    vars: HashMap<String, f64>,
    depth_limit: usize,
}

impl Evaluator {
    pub fn new() -> Self {
        Evaluator { vars: HashMap::new(), depth_limit: 64 }
    }

    pub fn set(&mut self, name: &str, value: f64) -> &mut Self {
        self.vars.insert(name.to_owned(), value);
        self
    }

    pub fn eval(&self, rpn: &[Token]) -> Result<f64, String> {
        let mut stack: Vec<f64> = Vec::new();
        for token in rpn {
            match token {
                Token::Number(n) => stack.push(*n),
                Token::Ident(name) => {
                    let v = self.vars.get(name).copied().ok_or_else(|| format!("unknown {name}"))?;
                    stack.push(v);
                }
                Token::Op(op) => {
                    let b = stack.pop().ok_or("stack underflow")?;
                    let a = stack.pop().ok_or("stack underflow")?;
                    let r = match op {
                        '+' => a + b,
                        '-' => a - b,
                        '*' => a * b,
                        '/' if b == 0.0 => return Err("division by zero".into()),
                        '/' => a / b,
                        '%' => a % b,
                        '^' => a.powf(b),
                        _ => unreachable!(),
                    };
                    stack.push(r);
                }
                _ => return Err("unexpected token".into()),
            }
            if stack.len() > self.depth_limit {
                return Err("expression too deep".into());
            }
        }
        match stack.as_slice() {
            [v] => Ok(*v),
            [] => Err("empty".into()),
            _ => Err("leftover operands".into()),
        }
    }
}

pub fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

pub fn sum_of_primes(max: u32) -> u32 {
    let mut total = 0;
    'outer: for i in 1..=max {
        for j in 2..i {
            if i % j == 0 {
                continue 'outer;
            }
        }
        total += i;
    }
    total
}

pub fn get_words(number: u32) -> &'static str {
    match number {
        1 => "one",
        2 => "a couple",
        3 => "a few",
        _ => "lots",
    }
}

pub fn histogram(words: &[&str], min_len: usize) -> Vec<(String, usize)> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for w in words.iter().filter(|w| w.len() >= min_len && !w.starts_with('#')) {
        *counts.entry(w.to_lowercase()).or_default() += 1;
    }
    let mut sorted: Vec<_> = counts.into_iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    sorted
}

pub fn parse_kv(line: &str) -> Option<(&str, &str)> {
    let line = line.trim();
    if line.is_empty() || line.starts_with(';') {
        return None;
    }
    let (k, v) = line.split_once('=')?;
    let k = k.trim();
    let v = v.trim().trim_matches('"');
    if k.is_empty() { None } else { Some((k, v)) }
}

pub fn merge_sorted(a: &[i64], b: &[i64]) -> Vec<i64> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(a.len() + b.len());
    while i < a.len() && j < b.len() {
        if a[i] <= b[j] {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}
