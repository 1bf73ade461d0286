//! Naming functions: which nodes are functions, their names and the qualifiers they add, and
//! which closures are bound to a name. The walk that calls these is in `walker.rs`.

use tree_sitter::Node;

use crate::lang::{Class, DeclaratorRule, LangSpec, NameFrom};

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
            (unquote(text(n, source)).to_string(), n, None)
        }
        NameFrom::Declarator(rule) => {
            let declarator = function_declarator(node, rule)?;
            let (n, scope) = declarator_name(
                declarator.child_by_field_name("declarator")?,
                rule,
                source,
                spec,
            )?;
            let qualifier = if scope.is_empty() {
                None
            } else {
                Some(scope.join("::"))
            };
            (text(n, source).to_string(), n, qualifier)
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
/// function declarator: in `int (*f(int a))(char)` the function is `f(int a)`, the outer
/// declarator is its return type.
pub(crate) fn function_declarator<'t>(node: Node<'t>, rule: &DeclaratorRule) -> Option<Node<'t>> {
    let mut current = node.child_by_field_name("declarator")?;
    let mut found = None;
    for _ in 0..32 {
        if current.kind() == rule.function {
            found = Some(current);
        }
        let inner = current.child_by_field_name("declarator").or_else(|| {
            (current.kind() == rule.parenthesized)
                .then(|| current.named_child(0))
                .flatten()
        });
        match inner {
            Some(next) => current = next,
            None => break,
        }
    }
    found
}

/// The name node inside a function declarator's `declarator`, and the scopes that qualify it:
/// `A<T>::B::f` → (`f`, [`A`, `B`]); attributes and other wrappers are looked through.
fn declarator_name<'t>(
    mut node: Node<'t>,
    rule: &DeclaratorRule,
    source: &str,
    spec: &LangSpec,
) -> Option<(Node<'t>, Vec<String>)> {
    let mut scope = Vec::new();
    for _ in 0..32 {
        if Some(node.kind()) == rule.qualified {
            if let Some(s) = node.child_by_field_name("scope") {
                scope.push(strip_generics(text(s, source)).to_string());
            }
            node = node.child_by_field_name("name")?;
            continue;
        }
        if spec.is_identifier(node.kind_id())
            || rule.whole_names.contains(&node.kind())
            || node.named_child_count() == 0
        {
            return Some((node, scope));
        }
        // `f<int>` (a template specialisation), `f [[noreturn]]`.
        node = node
            .child_by_field_name("name")
            .or_else(|| node.child_by_field_name("declarator"))
            .or_else(|| node.named_child(0))?;
    }
    None
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

/// A string-literal name (`"Program:exit"() {}` in JavaScript) without its quotes.
fn unquote(name: &str) -> &str {
    for quote in ['"', '\'', '`'] {
        if let Some(inner) = name.strip_prefix(quote).and_then(|n| n.strip_suffix(quote)) {
            return inner;
        }
    }
    name
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
