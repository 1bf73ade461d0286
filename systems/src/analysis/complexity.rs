//! Measuring one function: cyclomatic and cognitive complexity, maximum nesting and parameter
//! count, exactly as defined in docs/metrics.md. One iterative walk over the function's subtree
//! (a tree cursor plus a stack of frames; no recursion, so a 10,000-deep nesting is fine).

use tree_sitter::Node;

use super::functions::{function_declarator, text};
use crate::lang::{CaseRule, Class, LangSpec};

/// The metrics computed from a function's syntax (`loc` comes from its span).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Metrics {
    pub cyclomatic: u32,
    pub cognitive: u32,
    pub max_nesting: u32,
    pub params: u32,
}

/// How a node's children inherit the nesting level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// Children at the node's level.
    Plain,
    /// An `if`/`else if`/`elif`: condition at the node's level, body one deeper, the
    /// alternative handled as `else`/`else if`.
    If,
    /// An `else` clause that only wraps an `else if`: the inner `if` stays at this level.
    ElseWrapper,
    /// A plain `else`: its contents are one level deeper.
    ElseBody,
    /// A loop, switch, catch or conditional expression: condition-like fields at the node's
    /// level, the rest one deeper.
    Nesting,
    /// A nested function or lambda: everything one deeper.
    Lambda,
    /// Not code of the function (a preprocessor condition): not descended into.
    Skip,
    /// A node one of whose fields is [`Role::Skip`]; other children as [`Role::Plain`].
    OpaqueParent(Option<u16>),
}

/// A run of like boolean operators that a child may continue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Seq {
    None,
    And,
    Or,
}

#[derive(Clone, Copy, Debug)]
struct Frame {
    level: u32,
    role: Role,
    seq: Seq,
}

struct Walk<'a> {
    spec: &'a LangSpec,
    source: &'a str,
    name: &'a str,
    self_names: [Option<&'a str>; 2],
    metrics: Metrics,
    recursive: bool,
}

/// Measures the function whose syntax node is `node`. `name` is its own name and `qualified`
/// its qualified name (the segment before the name is the enclosing type, for recursion).
pub fn measure_function(
    node: Node<'_>,
    source: &str,
    spec: &LangSpec,
    name: &str,
    qualified: &str,
) -> Metrics {
    let separator = spec.table.language.path_separator();
    let enclosing_type = qualified
        .strip_suffix(name)
        .and_then(|q| q.strip_suffix(separator))
        .map(|q| q.rsplit(separator).next().unwrap_or(q));
    let mut walk = Walk {
        spec,
        source,
        name,
        self_names: [enclosing_type, receiver_variable(node, source, spec)],
        metrics: Metrics {
            cyclomatic: 1,
            params: count_params(node, source, spec),
            ..Metrics::default()
        },
        recursive: false,
    };

    let mut cursor = node.walk();
    let mut frames: Vec<Frame> = vec![Frame {
        level: 0,
        role: Role::Plain,
        seq: Seq::None,
    }];
    if cursor.goto_first_child() {
        'walk: loop {
            let parent = *frames.last().expect("the root frame stays");
            let frame = walk.enter(cursor.node(), cursor.field_id().map(|f| f.get()), parent);
            if frame.role != Role::Skip && cursor.goto_first_child() {
                frames.push(frame);
                continue;
            }
            loop {
                if cursor.goto_next_sibling() {
                    break;
                }
                if frames.len() == 1 || !cursor.goto_parent() {
                    break 'walk;
                }
                frames.pop();
            }
        }
    }
    if walk.recursive {
        walk.metrics.cognitive += 1;
    }
    walk.metrics
}

impl Walk<'_> {
    /// Scores `node` (a child of a node with frame `parent`, in field `field`) and returns the
    /// frame its own children inherit.
    fn enter(&mut self, node: Node<'_>, field: Option<u16>, parent: Frame) -> Frame {
        let spec = self.spec;
        let class = spec.class(node.kind_id());
        let is_alternative =
            parent.role == Role::If && field.is_some() && field == spec.field_alternative;
        match parent.role {
            Role::Skip => return parent,
            Role::OpaqueParent(Some(opaque)) if field == Some(opaque) => {
                return Frame {
                    role: Role::Skip,
                    ..parent
                };
            }
            _ => {}
        }
        let mut level = match parent.role {
            Role::Plain | Role::ElseWrapper | Role::Skip | Role::OpaqueParent(_) => parent.level,
            Role::ElseBody | Role::Lambda => parent.level + 1,
            Role::If if is_alternative => parent.level,
            // A loop's `else` (Python) is at the loop's own level, like an `if`'s.
            Role::Nesting
                if class == Class::Else && field.is_some() && field == spec.field_alternative =>
            {
                parent.level
            }
            Role::If | Role::Nesting => {
                if spec.is_unnested_field(field) {
                    parent.level
                } else {
                    parent.level + 1
                }
            }
        };

        // `else`, `else if`, `elif`.
        if is_alternative || (parent.role == Role::ElseWrapper && class == Class::If) {
            match class {
                Class::If | Class::Elif => {
                    self.count(1, 1, level);
                    return Frame {
                        level,
                        role: Role::If,
                        seq: Seq::None,
                    };
                }
                Class::Else if self.wraps_if(node) => {
                    return Frame {
                        level,
                        role: Role::ElseWrapper,
                        seq: Seq::None,
                    };
                }
                Class::Else => {
                    self.count(0, 1, level);
                    return Frame {
                        level,
                        role: Role::ElseBody,
                        seq: Seq::None,
                    };
                }
                _ => {
                    // Go/Java: the `else` body is the alternative itself.
                    self.count(0, 1, level);
                    level += 1;
                }
            }
        }

        let plain = Frame {
            level,
            role: Role::Plain,
            seq: Seq::None,
        };
        match class {
            Class::If => {
                self.count(1, 1 + level, level);
                Frame {
                    role: Role::If,
                    ..plain
                }
            }
            Class::Loop | Class::Catch | Class::Ternary => {
                self.count(1, 1 + level, level);
                Frame {
                    role: Role::Nesting,
                    ..plain
                }
            }
            Class::Switch => {
                self.count(0, 1 + level, level);
                Frame {
                    role: Role::Nesting,
                    ..plain
                }
            }
            // A guard (`case x if c:`) is part of its arm, not a comprehension clause.
            Class::ComprehensionClause if field.is_none() || field != spec.field_guard => {
                // Comprehension clauses do not nest and are not counted in `max_nesting`.
                self.metrics.cyclomatic += 1;
                self.metrics.cognitive += 1 + level;
                plain
            }
            // `else` of a loop or `try` (Python): +1, like any `else`.
            Class::Else => {
                self.count(0, 1, level);
                Frame {
                    role: Role::ElseBody,
                    ..plain
                }
            }
            Class::OpaqueParent(i) => {
                let opaque = spec.opaque_field_ids[i as usize];
                Frame {
                    role: Role::OpaqueParent(opaque),
                    ..plain
                }
            }
            Class::Case(i) => {
                if self.case_counts(node, &spec.table.cases[i as usize]) {
                    self.metrics.cyclomatic += 1;
                }
                plain
            }
            Class::Logical => {
                let seq = self.logical(node, parent.seq);
                Frame { seq, ..plain }
            }
            Class::CyclomaticOnly => {
                self.metrics.cyclomatic += 1;
                plain
            }
            Class::Paren => Frame {
                seq: parent.seq,
                ..plain
            },
            Class::Goto => {
                self.metrics.cognitive += 1;
                plain
            }
            Class::Jump(i) => {
                let label = spec.table.jumps[i as usize].label;
                let mut cursor = node.walk();
                if node.named_children(&mut cursor).any(|c| c.kind() == label) {
                    self.metrics.cognitive += 1;
                }
                plain
            }
            Class::Call(i) => {
                if !self.recursive && self.calls_itself(node, i) {
                    self.recursive = true;
                }
                plain
            }
            Class::Function(_) | Class::Lambda => Frame {
                role: Role::Lambda,
                ..plain
            },
            _ => plain,
        }
    }

    /// Adds a decision point: `cyclomatic` and `cognitive` increments for a structure at
    /// nesting `level`.
    fn count(&mut self, cyclomatic: u32, cognitive: u32, level: u32) {
        self.metrics.cyclomatic += cyclomatic;
        self.metrics.cognitive += cognitive;
        self.metrics.max_nesting = self.metrics.max_nesting.max(level + 1);
    }

    /// Whether an `else` clause's first non-comment named child is an `if` (an `else if`).
    fn wraps_if(&self, node: Node<'_>) -> bool {
        let mut cursor = node.walk();
        node.named_children(&mut cursor)
            .find(|c| self.spec.class(c.kind_id()) != Class::Comment)
            .is_some_and(|c| self.spec.class(c.kind_id()) == Class::If)
    }

    fn case_counts(&self, node: Node<'_>, rule: &CaseRule) -> bool {
        match *rule {
            CaseRule::Always(_) => true,
            CaseRule::DefaultWithoutField(_, field) => node.child_by_field_name(field).is_some(),
            CaseRule::DefaultWhenFirst(_, token) => node.child(0).is_none_or(|c| c.kind() != token),
            CaseRule::Wildcard(_) => {
                let mut cursor = node.walk();
                let mut named = node
                    .named_children(&mut cursor)
                    .filter(|c| self.spec.class(c.kind_id()) != Class::Comment);
                let pattern = named.next();
                let only_pattern_then_body = node.child_by_field_name("guard").is_none();
                !(only_pattern_then_body
                    && pattern.is_some_and(|p| text(p, self.source).trim() == "_"))
            }
        }
    }

    /// Scores a boolean operator node and returns the sequence its operands continue.
    fn logical(&mut self, node: Node<'_>, parent_seq: Seq) -> Seq {
        let table = self.spec.table;
        let seq_of = |op: &str| {
            if table.and_ops.contains(&op) {
                Seq::And
            } else if table.or_ops.contains(&op) {
                Seq::Or
            } else {
                Seq::None
            }
        };
        let operator = self
            .spec
            .field_operator
            .and_then(|f| node.child_by_field_id(f));
        let (seq, count) = match operator {
            Some(op) => {
                let kind = op.kind();
                if table.cyclomatic_only_ops.contains(&kind) {
                    self.metrics.cyclomatic += 1;
                    return Seq::None;
                }
                let seq = seq_of(kind);
                (seq, u32::from(seq != Seq::None))
            }
            None => {
                // Rust let chains: `let P = e && c && ...` with bare `&&` tokens.
                let mut cursor = node.walk();
                let count = node
                    .children(&mut cursor)
                    .filter(|c| !c.is_named() && seq_of(c.kind()) == Seq::And)
                    .count();
                (if count > 0 { Seq::And } else { Seq::None }, count as u32)
            }
        };
        if seq == Seq::None {
            return Seq::None;
        }
        self.metrics.cyclomatic += count;
        if parent_seq != seq {
            self.metrics.cognitive += 1;
        }
        seq
    }

    /// Whether a call node calls the function being measured: its own name, bare or through
    /// its own receiver.
    fn calls_itself(&self, node: Node<'_>, rule: u8) -> bool {
        let rule = &self.spec.table.calls[rule as usize];
        let Some(callee) = node.child_by_field_name(rule.callee) else {
            return false;
        };
        let (name, receiver) = match rule.receiver {
            Some(field) => (
                text(callee, self.source),
                node.child_by_field_name(field)
                    .map(|r| text(r, self.source)),
            ),
            None => callee_parts(callee, self.source, self.spec),
        };
        if name != self.name {
            return false;
        }
        match receiver {
            None => true,
            Some(r) => {
                self.spec.table.self_receivers.contains(&r) || self.self_names.contains(&Some(r))
            }
        }
    }
}

/// The called name and its receiver text: `f` → (`f`, None); `self.f`/`a::f`/`x->f` →
/// (`f`, `self`/`a`/`x`).
fn callee_parts<'s>(
    mut callee: Node<'_>,
    source: &'s str,
    spec: &LangSpec,
) -> (&'s str, Option<&'s str>) {
    for _ in 0..4 {
        if callee.named_child_count() == 0 || spec.is_identifier(callee.kind_id()) {
            return (text(callee, source), None);
        }
        // Rust `f::<T>`.
        if let Some(inner) = callee.child_by_field_name("function") {
            callee = inner;
            continue;
        }
        let name = ["property", "attribute", "field", "name"]
            .iter()
            .find_map(|f| callee.child_by_field_name(f));
        let receiver = ["object", "value", "argument", "operand", "path", "scope"]
            .iter()
            .find_map(|f| callee.child_by_field_name(f));
        return match name {
            Some(n) => (text(n, source), receiver.map(|r| text(r, source))),
            None => (text(callee, source), None),
        };
    }
    (text(callee, source), None)
}

/// Go methods: the receiver's variable name (`func (s *S) f()` → `s`).
fn receiver_variable<'s>(node: Node<'_>, source: &'s str, spec: &LangSpec) -> Option<&'s str> {
    let Class::Function(i) = spec.class(node.kind_id()) else {
        return None;
    };
    let field = spec.table.functions[i as usize].receiver?;
    let list = node.child_by_field_name(field)?;
    let declaration = list.named_child(0)?;
    declaration
        .child_by_field_name("name")
        .map(|n| text(n, source))
}

/// Number of declared parameters (docs/metrics.md, `params`).
fn count_params(node: Node<'_>, source: &str, spec: &LangSpec) -> u32 {
    if node.child_by_field_name("parameter").is_some() {
        return 1;
    }
    let list = node.child_by_field_name("parameters").or_else(|| {
        function_declarator(node)
            .or_else(|| node.child_by_field_name("declarator"))
            .and_then(|d| d.child_by_field_name("parameters"))
    });
    let Some(list) = list else { return 0 };
    if spec.is_identifier(list.kind_id()) {
        return 1;
    }
    let mut count = 0;
    let mut named = 0;
    let mut last_named = None;
    let mut cursor = list.walk();
    for child in list.children(&mut cursor) {
        if !child.is_named() {
            if spec.table.param_tokens.contains(&child.kind()) {
                count += 1;
            }
            continue;
        }
        if spec.is_not_param(child.kind_id()) {
            continue;
        }
        named += 1;
        last_named = Some(child);
        count += if spec.is_multi_name_param(child.kind_id()) {
            let mut names = child.walk();
            child
                .children_by_field_name("name", &mut names)
                .count()
                .max(1) as u32
        } else {
            1
        };
    }
    if spec.table.void_params
        && count == 1
        && named == 1
        && last_named.is_some_and(|p| text(p, source).trim() == "void")
    {
        return 0;
    }
    count
}
