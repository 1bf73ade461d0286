//! The one walk over a syntax tree that finds functions and measures them, exactly as defined
//! in docs/metrics.md: cyclomatic and cognitive complexity, maximum nesting and parameters.
//!
//! A tree cursor with explicit stacks, never recursion, so a 10,000-deep nesting is fine. Every
//! function whose node is open on the cursor's path is *active*: a decision point adds to all of
//! them at once, each at its own relative nesting level (a nested function's body is one level
//! deeper for the functions around it and level 0 for itself), so one walk measures nested
//! functions and the functions that contain them.

use tree_sitter::{Node, Tree, TreeCursor};

use super::functions::{
    FunctionInfo, binding_name, function_declarator, function_name, strip_generics, text,
};
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
    /// A function or lambda: everything one deeper.
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
    /// Absolute nesting level of the node (for increments).
    level: u32,
    role: Role,
    seq: Seq,
}

/// A function being measured: its node is on the cursor's path.
struct Active {
    /// Cursor depth of the function's node.
    depth: usize,
    /// The absolute level of its body (level 0 for itself).
    base: u32,
    /// Index of its row in the output.
    index: usize,
    name: String,
    /// Receivers through which a call is a call of itself: its enclosing type and (Go) its
    /// receiver variable.
    self_names: [Option<String>; 2],
    metrics: Metrics,
    recursive: bool,
}

/// A name segment that qualifies the functions inside it.
struct Scope {
    depth: usize,
    name: String,
    is_function: bool,
}

/// Rows of a function found again and not walked: given a function no other function encloses
/// (its node and its name as found now), its row and its nested functions' rows, in order, or
/// `None` to walk it.
pub type Reuse<'r> =
    dyn FnMut(Node<'_>, &FunctionInfo) -> Option<Vec<(FunctionInfo, Metrics)>> + 'r;

struct Walker<'s, 't, 'r> {
    spec: &'static LangSpec,
    source: &'s str,
    reuse: Option<&'r mut Reuse<'r>>,
    actives: Vec<Active>,
    scopes: Vec<Scope>,
    /// The nodes on the cursor's path, root first (for bindings).
    path: Vec<Node<'t>>,
    out: Vec<(FunctionInfo, Metrics)>,
}

/// Finds and measures every function of `tree`, in source order (a function before the
/// functions nested in it).
pub fn analyze_tree(
    tree: &Tree,
    source: &str,
    spec: &'static LangSpec,
) -> Vec<(FunctionInfo, Metrics)> {
    let mut walker = Walker::new(spec, source);
    walker.walk(tree.root_node());
    walker.out
}

/// [`analyze_tree`], except that a function no other function encloses is offered to `reuse`
/// first: when it returns rows, they stand for the function and the functions nested in it,
/// whose subtree is not walked. The result is [`analyze_tree`]'s when `reuse` returns what
/// [`analyze_tree`] would find there (`measure_functions` reuses the rows of functions an edit
/// did not touch).
pub fn analyze_tree_reusing<'r>(
    tree: &Tree,
    source: &str,
    spec: &'static LangSpec,
    reuse: &'r mut Reuse<'r>,
) -> Vec<(FunctionInfo, Metrics)> {
    let mut walker = Walker::new(spec, source);
    walker.reuse = Some(reuse);
    walker.walk(tree.root_node());
    walker.out
}

/// Measures the single function whose syntax node is `node` (found by [`analyze_tree`] before),
/// given its name and qualified name.
pub fn measure_function(
    node: Node<'_>,
    source: &str,
    spec: &'static LangSpec,
    name: &str,
    qualified: &str,
) -> Metrics {
    let mut walker = Walker::new(spec, source);
    let info = FunctionInfo {
        name: name.to_string(),
        qualified_name: qualified.to_string(),
        start_byte: node.start_byte(),
        end_byte: node.end_byte(),
        start_line: node.start_position().row as u32 + 1,
        end_line: node.end_position().row as u32 + 1,
        depth: 0,
    };
    walker.open_function(node, info, 0, 0);
    walker.walk_children(node);
    walker.close(0);
    walker.out.first().map(|(_, m)| *m).unwrap_or_default()
}

impl<'s, 't, 'r> Walker<'s, 't, 'r> {
    fn new(spec: &'static LangSpec, source: &'s str) -> Self {
        Walker {
            spec,
            source,
            reuse: None,
            actives: Vec::new(),
            scopes: Vec::new(),
            path: Vec::new(),
            out: Vec::new(),
        }
    }

    /// Walks `root` and everything below it.
    fn walk(&mut self, root: Node<'t>) {
        self.path.push(root);
        let frame = self.enter(
            root,
            None,
            Frame {
                level: 0,
                role: Role::Plain,
                seq: Seq::None,
            },
            0,
        );
        if frame.role != Role::Skip {
            let mut cursor = root.walk();
            self.walk_below(&mut cursor, frame);
        }
        self.close(0);
    }

    /// Walks the children of a function node measured on its own (their level is 0).
    fn walk_children(&mut self, root: Node<'t>) {
        self.path.push(root);
        let mut cursor = root.walk();
        self.walk_below(
            &mut cursor,
            Frame {
                level: 0,
                role: Role::Plain,
                seq: Seq::None,
            },
        );
    }

    /// The walk proper, below the cursor's current node whose frame is `top`.
    fn walk_below(&mut self, cursor: &mut TreeCursor<'t>, top: Frame) {
        if !cursor.goto_first_child() {
            return;
        }
        let mut frames: Vec<Frame> = vec![top];
        loop {
            let depth = frames.len();
            let node = cursor.node();
            let parent = *frames.last().expect("the top frame stays until the end");
            let class = self.spec.class(node.kind_id());
            // Tokens and bare names count for nothing (an `if`'s alternative always goes through
            // `enter`: a bare `else` body still counts); opaque kinds are not walked into.
            let trivial =
                class == Class::Other && parent.role != Role::If && node.child_count() == 0;
            if !trivial {
                let needs_field = matches!(
                    parent.role,
                    Role::If | Role::Nesting | Role::OpaqueParent(_)
                ) || class == Class::ComprehensionClause;
                let field = if needs_field {
                    cursor.field_id().map(|f| f.get())
                } else {
                    None
                };
                self.path.push(node);
                let frame = self.enter(node, field, parent, depth);
                if frame.role != Role::Skip && class != Class::Opaque && cursor.goto_first_child() {
                    frames.push(frame);
                    continue;
                }
                self.close(depth);
            }
            loop {
                if cursor.goto_next_sibling() {
                    break;
                }
                frames.pop();
                if frames.is_empty() || !cursor.goto_parent() {
                    return;
                }
                let depth = frames.len();
                self.close(depth);
            }
        }
    }

    /// Leaves every node at cursor depth `depth` or deeper: finishes their functions and scopes.
    fn close(&mut self, depth: usize) {
        self.path.truncate(depth);
        while self.actives.last().is_some_and(|a| a.depth >= depth) {
            let active = self.actives.pop().expect("checked");
            let mut metrics = active.metrics;
            if active.recursive {
                metrics.cognitive += 1;
            }
            self.out[active.index].1 = metrics;
        }
        while self.scopes.last().is_some_and(|s| s.depth >= depth) {
            self.scopes.pop();
        }
    }

    /// Starts measuring a function whose node is at `depth`, with its body at level `base`.
    fn open_function(&mut self, node: Node<'_>, info: FunctionInfo, depth: usize, base: u32) {
        let separator = self.spec.table.language.path_separator();
        let enclosing_type = info
            .qualified_name
            .strip_suffix(info.name.as_str())
            .and_then(|q| q.strip_suffix(separator))
            .map(|q| q.rsplit(separator).next().unwrap_or(q).to_string());
        let receiver = receiver_variable(node, self.source, self.spec).map(str::to_string);
        let metrics = Metrics {
            cyclomatic: 1,
            params: count_params(node, self.source, self.spec),
            ..Metrics::default()
        };
        self.actives.push(Active {
            depth,
            base,
            index: self.out.len(),
            name: info.name.clone(),
            self_names: [enclosing_type, receiver],
            metrics,
            recursive: false,
        });
        self.out.push((info, Metrics::default()));
    }

    /// A function or named closure at `node`, with its name, name node and qualifier.
    fn function_at(
        &self,
        node: Node<'t>,
        class: Class,
    ) -> Option<(String, Node<'t>, Option<String>)> {
        match class {
            Class::Function(i) => function_name(node, self.source, self.spec, i),
            Class::Lambda => {
                binding_name(&self.path, self.source, self.spec).map(|(name, n)| (name, n, None))
            }
            _ => None,
        }
    }

    /// Records a function found at `node` (depth `depth`, frame level `level`). Returns false
    /// when its rows were reused instead: its subtree is not to be walked.
    fn found_function(
        &mut self,
        node: Node<'t>,
        name: String,
        name_node: Node<'t>,
        qualifier: Option<String>,
        depth: usize,
        level: u32,
    ) -> bool {
        let separator = self.spec.table.language.path_separator();
        // The segment this function adds to the names of functions nested in it.
        let own = match qualifier {
            Some(q) => format!("{q}{separator}{name}"),
            None => name.clone(),
        };
        let mut qualified = String::new();
        for scope in &self.scopes {
            qualified.push_str(&scope.name);
            qualified.push_str(separator);
        }
        qualified.push_str(&own);
        let fn_depth = self.scopes.iter().filter(|s| s.is_function).count();
        let info = FunctionInfo {
            start_byte: node.start_byte(),
            end_byte: node.end_byte(),
            start_line: name_node.start_position().row as u32 + 1,
            end_line: node.end_position().row as u32 + 1,
            depth: u16::try_from(fn_depth).unwrap_or(u16::MAX),
            name,
            qualified_name: qualified,
        };
        if self.actives.is_empty()
            && let Some(reuse) = self.reuse.as_mut()
            && let Some(rows) = reuse(node, &info)
        {
            self.out.extend(rows);
            return false;
        }
        self.open_function(node, info, depth, level + 1);
        self.scopes.push(Scope {
            depth,
            name: own,
            is_function: true,
        });
        true
    }

    /// Scores `node` (at cursor depth `depth`, a child of a node with frame `parent`, in field
    /// `field`) and returns the frame its own children inherit.
    fn enter(&mut self, node: Node<'t>, field: Option<u16>, parent: Frame, depth: usize) -> Frame {
        let spec = self.spec;
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
        let class = spec.class(node.kind_id());
        let is_alternative =
            parent.role == Role::If && field.is_some() && field == spec.field_alternative;
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
                    self.structure(1, false, level);
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
                    self.structure(0, false, level);
                    return Frame {
                        level,
                        role: Role::ElseBody,
                        seq: Seq::None,
                    };
                }
                _ => {
                    // Go/Java: the `else` body is the alternative itself.
                    self.structure(0, false, level);
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
                self.structure(1, true, level);
                Frame {
                    role: Role::If,
                    ..plain
                }
            }
            Class::Loop | Class::Catch | Class::Ternary => {
                self.structure(1, true, level);
                Frame {
                    role: Role::Nesting,
                    ..plain
                }
            }
            Class::Switch => {
                self.structure(0, true, level);
                Frame {
                    role: Role::Nesting,
                    ..plain
                }
            }
            // A guard (`case x if c:`) is part of its arm, not a comprehension clause.
            Class::ComprehensionClause if field.is_none() || field != spec.field_guard => {
                // Comprehension clauses do not nest and are not counted in `max_nesting`.
                for a in &mut self.actives {
                    a.metrics.cyclomatic += 1;
                    a.metrics.cognitive += 1 + level.saturating_sub(a.base);
                }
                plain
            }
            // `else` of a loop or `try` (Python): +1, like any `else`.
            Class::Else => {
                self.structure(0, false, level);
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
                    self.flat(1, 0);
                }
                plain
            }
            Class::Logical => {
                let seq = self.logical(node, parent.seq);
                Frame { seq, ..plain }
            }
            Class::CyclomaticOnly => {
                self.flat(1, 0);
                plain
            }
            Class::Paren => Frame {
                seq: parent.seq,
                ..plain
            },
            Class::Goto => {
                self.flat(0, 1);
                plain
            }
            Class::Jump(i) => {
                let label = spec.table.jumps[i as usize].label;
                let mut cursor = node.walk();
                if node.named_children(&mut cursor).any(|c| c.kind() == label) {
                    self.flat(0, 1);
                }
                plain
            }
            Class::Call(i) => {
                self.call(node, i);
                plain
            }
            Class::Function(_) | Class::Lambda => {
                let walked = match self.function_at(node, class) {
                    Some((name, name_node, qualifier)) => {
                        self.found_function(node, name, name_node, qualifier, depth, level)
                    }
                    None => true,
                };
                Frame {
                    role: if walked { Role::Lambda } else { Role::Skip },
                    ..plain
                }
            }
            Class::Container(i) => {
                let rule = &spec.table.containers[i as usize];
                if let Some(name_node) = node.child_by_field_name(rule.name) {
                    let name = strip_generics(text(name_node, self.source)).to_string();
                    self.scopes.push(Scope {
                        depth,
                        name,
                        is_function: false,
                    });
                }
                plain
            }
            _ => plain,
        }
    }

    /// Adds a control structure at absolute `level` to every active function: `cyclomatic`, +1
    /// cognitive plus the relative nesting level when `nesting_bonus` (`if`, loops, ...; not
    /// `else`/`else if`), and the structure's depth to `max_nesting`.
    fn structure(&mut self, cyclomatic: u32, nesting_bonus: bool, level: u32) {
        for a in &mut self.actives {
            let relative = level.saturating_sub(a.base);
            a.metrics.cyclomatic += cyclomatic;
            a.metrics.cognitive += 1 + if nesting_bonus { relative } else { 0 };
            a.metrics.max_nesting = a.metrics.max_nesting.max(relative + 1);
        }
    }

    /// Adds flat increments (no nesting) to every active function.
    fn flat(&mut self, cyclomatic: u32, cognitive: u32) {
        for a in &mut self.actives {
            a.metrics.cyclomatic += cyclomatic;
            a.metrics.cognitive += cognitive;
        }
    }

    /// Whether an `else` clause's first non-comment named child is an `if` (an `else if`).
    fn wraps_if(&self, node: Node<'_>) -> bool {
        let mut cursor = node.walk();
        node.named_children(&mut cursor)
            .find(|c| !self.spec.is_comment(c.kind_id()))
            .is_some_and(|c| self.spec.class(c.kind_id()) == Class::If)
    }

    fn case_counts(&self, node: Node<'_>, rule: &CaseRule) -> bool {
        match *rule {
            CaseRule::Always(_) => true,
            CaseRule::DefaultWithoutField(_, field) => node.child_by_field_name(field).is_some(),
            CaseRule::DefaultWhenFirst(_, token) => node.child(0).is_none_or(|c| c.kind() != token),
            CaseRule::Wildcard(_) => {
                let mut cursor = node.walk();
                let pattern = node
                    .named_children(&mut cursor)
                    .find(|c| !self.spec.is_comment(c.kind_id()));
                let guarded = node.child_by_field_name("guard").is_some();
                guarded || pattern.is_none_or(|p| text(p, self.source).trim() != "_")
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
                    self.flat(1, 0);
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
        let cognitive = u32::from(parent_seq != seq);
        self.flat(count, cognitive);
        seq
    }

    /// Marks every active function that this call calls: by its own name, bare or through its
    /// own receiver.
    fn call(&mut self, node: Node<'_>, rule: u8) {
        if self.actives.is_empty() {
            return;
        }
        let callee_id = self.spec.call_callee_ids[rule as usize];
        let Some(callee) = callee_id.and_then(|id| node.child_by_field_id(id)) else {
            return;
        };
        // Most calls call something else: reject them before taking the callee apart.
        let callee_text = text(callee, self.source);
        if !self
            .actives
            .iter()
            .any(|a| callee_text.contains(a.name.as_str()))
        {
            return;
        }
        let rule = &self.spec.table.calls[rule as usize];
        let (name, receiver) = match rule.receiver {
            Some(field) => (
                text(callee, self.source),
                node.child_by_field_name(field)
                    .map(|r| text(r, self.source)),
            ),
            None => callee_parts(callee, self.source, self.spec),
        };
        let self_receivers = self.spec.table.self_receivers;
        for a in &mut self.actives {
            if a.name != name {
                continue;
            }
            let own = match receiver {
                None => true,
                Some(r) => {
                    self_receivers.contains(&r)
                        || a.self_names.iter().any(|s| s.as_deref() == Some(r))
                }
            };
            if own {
                a.recursive = true;
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
        spec.declarator_rule()
            .and_then(|rule| function_declarator(node, rule))
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
