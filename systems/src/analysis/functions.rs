//! Naming functions: which nodes are functions, their names and the qualifiers they add, and
//! which closures are bound to a name. The walk that calls these is in `walker.rs`.

use tree_sitter::Node;

use crate::lang::{Class, LangSpec, NameFrom};

/// A function found in a tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionInfo {
    pub name: String,
    pub qualified_name: String,
    /// Byte range of the function's syntax node (for a bound closure: the closure node).
    pub start_byte: usize,
    pub end_byte: usize,
    /// 1-based line of the name.
    pub start_line: u32,
    /// 1-based last line of the node.
    pub end_line: u32,
    /// How many function entities enclose this one.
    pub depth: u16,
}

/// The name, the node to take its line from, and an extra qualifier (C++ `A::f`, Go receiver
/// type) of a function definition node.
pub(super) fn function_name<'t>(
    node: Node<'t>,
    source: &str,
    spec: &LangSpec,
    rule: u8,
) -> Option<(String, Node<'t>, Option<String>)> {
    let rule = &spec.table.functions[rule as usize];
    if let Some(field) = rule.requires {
        node.child_by_field_name(field)?;
    }
    let (name, name_node, mut qualifier) = match rule.name {
        NameFrom::Field(field) => {
            let n = node.child_by_field_name(field)?;
            (text(n, source).to_string(), n, None)
        }
        NameFrom::Declarator => {
            let declarator = function_declarator(node)?;
            let n = declarator.child_by_field_name("declarator")?;
            let full = text(n, source);
            // `A::B::f` names `f`, qualified by `A::B` (template arguments dropped).
            match split_qualified(full) {
                Some((scope, last)) => (last.to_string(), n, Some(scope)),
                None => (full.to_string(), n, None),
            }
        }
    };
    if let Some(field) = rule.receiver {
        qualifier = node
            .child_by_field_name(field)
            .and_then(|r| receiver_type(r, source));
    }
    Some((name, name_node, qualifier))
}

/// C/C++: descends `declarator` fields (pointers, references, parentheses) to the innermost
/// `function_declarator`: in `int (*f(int a))(char)` the function is `f(int a)`, the outer
/// declarator is its return type.
pub(crate) fn function_declarator(node: Node<'_>) -> Option<Node<'_>> {
    let mut current = node.child_by_field_name("declarator")?;
    let mut found = None;
    for _ in 0..32 {
        if current.kind() == "function_declarator" {
            found = Some(current);
        }
        match current.child_by_field_name("declarator").or_else(|| {
            // `parenthesized_declarator` holds its declarator without a field.
            if current.kind() == "parenthesized_declarator" {
                current.named_child(0)
            } else {
                None
            }
        }) {
            Some(next) => current = next,
            None => break,
        }
    }
    found
}

/// Splits `A<T>::B::f` into (`A::B`, `f`); `None` when unqualified.
fn split_qualified(full: &str) -> Option<(String, &str)> {
    let mut depth = 0i32;
    let bytes = full.as_bytes();
    let mut last_sep = None;
    let mut i = 0;
    while i + 1 < bytes.len() {
        match bytes[i] {
            b'<' | b'(' => depth += 1,
            b'>' | b')' => depth -= 1,
            b':' if depth == 0 && bytes[i + 1] == b':' => {
                last_sep = Some(i);
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    let sep = last_sep?;
    let scope: Vec<&str> = full[..sep]
        .split("::")
        .map(|s| strip_generics(s.trim()))
        .filter(|s| !s.is_empty())
        .collect();
    let last = full[sep + 2..].trim();
    if scope.is_empty() {
        None
    } else {
        Some((scope.join("::"), last))
    }
}

/// Go: the base type name of a method receiver (`(s *S[T])` → `S`).
fn receiver_type(receiver: Node<'_>, source: &str) -> Option<String> {
    let mut cursor = receiver.walk();
    let mut stack = vec![receiver];
    while let Some(n) = stack.pop() {
        if n.kind() == "type_identifier" {
            return Some(text(n, source).to_string());
        }
        // Depth-first, left to right.
        let children: Vec<_> = n.named_children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    None
}

/// The name a lambda at the end of `path` is bound to, if it is bound: its parent (through
/// parentheses and binding lists) is a binding whose value is the lambda.
pub(super) fn binding_name<'t>(
    path: &[Node<'t>],
    source: &str,
    spec: &LangSpec,
) -> Option<(String, Node<'t>)> {
    let lambda = *path.last()?;
    let mut child = lambda;
    let mut index_in_list = None;
    for &parent in path.iter().rev().skip(1) {
        match spec.class(parent.kind_id()) {
            Class::Paren => child = parent,
            Class::BindingList => {
                index_in_list = named_index(parent, child);
                child = parent;
            }
            Class::Binding(i) => {
                let rule = &spec.table.bindings[i as usize];
                let is_value = parent
                    .child_by_field_name(rule.value)
                    .is_some_and(|v| v.id() == child.id());
                if !is_value {
                    return None;
                }
                let mut name_node = parent.child_by_field_name(rule.name)?;
                if spec.class(name_node.kind_id()) == Class::BindingList {
                    name_node = name_node.named_child(index_in_list.unwrap_or(0) as u32)?;
                } else if index_in_list.is_some_and(|i| i > 0) {
                    // `var a, f = 1, func() {}`: the i-th `name` field.
                    let i = index_in_list.unwrap_or(0);
                    name_node = parent
                        .children_by_field_name(rule.name, &mut parent.walk())
                        .nth(i)?;
                }
                let name_node = reduce_to_identifier(name_node, spec)?;
                return Some((text(name_node, source).to_string(), name_node));
            }
            _ => return None,
        }
    }
    None
}

fn named_index(list: Node<'_>, child: Node<'_>) -> Option<usize> {
    let mut cursor = list.walk();
    list.named_children(&mut cursor)
        .position(|c| c.id() == child.id())
}

/// An identifier node, or the last identifier of a member/attribute/field access.
fn reduce_to_identifier<'t>(node: Node<'t>, spec: &LangSpec) -> Option<Node<'t>> {
    let mut current = node;
    for _ in 0..8 {
        if spec.is_identifier(current.kind_id()) {
            return Some(current);
        }
        // A string key (`'f': () => {}`) is reduced to its content.
        current = ["property", "attribute", "field", "name", "declarator"]
            .iter()
            .find_map(|f| current.child_by_field_name(f))
            .or_else(|| single_identifier_child(current, spec))?;
    }
    None
}

/// The only child that is an identifier, or the only named child (`mut f` → `f`).
fn single_identifier_child<'t>(node: Node<'t>, spec: &LangSpec) -> Option<Node<'t>> {
    if node.named_child_count() == 1 {
        return node.named_child(0);
    }
    let mut cursor = node.walk();
    let mut identifiers = node
        .named_children(&mut cursor)
        .filter(|c| spec.is_identifier(c.kind_id()));
    let first = identifiers.next()?;
    if identifiers.next().is_some() {
        None
    } else {
        Some(first)
    }
}

pub(crate) fn text<'s>(node: Node<'_>, source: &'s str) -> &'s str {
    source.get(node.byte_range()).unwrap_or("")
}

/// `Foo<T>` → `Foo`; `&'a mut Foo` → `Foo`.
pub(super) fn strip_generics(name: &str) -> &str {
    let name = name.split('<').next().unwrap_or(name).trim();
    name.rsplit(|c: char| c.is_whitespace() || c == '&')
        .next()
        .unwrap_or(name)
}
