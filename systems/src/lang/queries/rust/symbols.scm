; Rust symbols (tree-sitter-rust 0.24). Capture convention: docs/graph.md.
; When two patterns define the same node, the earlier pattern's kind wins.

; --- methods: functions in impl and trait bodies ---
(impl_item
  body: (declaration_list
    (function_item
      (visibility_modifier)? @visibility
      name: (identifier) @name) @definition.method))

(trait_item
  body: (declaration_list
    [(function_item
       name: (identifier) @name)
     (function_signature_item
       name: (identifier) @name)] @definition.method))

; --- definitions ---
(function_item
  (visibility_modifier)? @visibility
  name: (identifier) @name) @definition.function

(struct_item
  (visibility_modifier)? @visibility
  name: (type_identifier) @name) @definition.struct

(union_item
  (visibility_modifier)? @visibility
  name: (type_identifier) @name) @definition.struct

(enum_item
  (visibility_modifier)? @visibility
  name: (type_identifier) @name) @definition.enum

(trait_item
  (visibility_modifier)? @visibility
  name: (type_identifier) @name) @definition.trait

(impl_item
  type: [
    (type_identifier) @name
    (generic_type type: (type_identifier) @name)
    (scoped_type_identifier name: (type_identifier) @name)
    (generic_type type: (scoped_type_identifier name: (type_identifier) @name))
  ]) @definition.impl

(impl_item
  trait: [
    (type_identifier) @implements
    (generic_type type: (type_identifier) @implements)
    (scoped_type_identifier) @implements
    (generic_type type: (scoped_type_identifier) @implements)
  ]) @definition.impl

(mod_item
  (visibility_modifier)? @visibility
  name: (identifier) @name) @definition.module

(const_item
  (visibility_modifier)? @visibility
  name: (identifier) @name) @definition.const

(static_item
  (visibility_modifier)? @visibility
  name: (identifier) @name) @definition.static

(type_item
  (visibility_modifier)? @visibility
  name: (type_identifier) @name) @definition.type

; --- references ---
(call_expression
  function: (identifier) @name) @reference.call

(call_expression
  function: (field_expression
    value: (_) @receiver
    field: (field_identifier) @name)) @reference.call

(call_expression
  function: (scoped_identifier
    path: (_)? @receiver
    name: (identifier) @name)) @reference.call

(call_expression
  function: (generic_function
    function: [
      (identifier) @name
      (scoped_identifier path: (_)? @receiver name: (identifier) @name)
      (field_expression value: (_) @receiver field: (field_identifier) @name)
    ])) @reference.call

(type_identifier) @reference.type

; the type qualifying a path (`Kind::A`, `Foo::new`, `crate::a::Kind::A`): capitalised,
; not a module
((scoped_identifier
   path: (identifier) @reference.type)
  (#match? @reference.type "^[A-Z]"))
((scoped_identifier
   path: (scoped_identifier
     name: (identifier) @reference.type))
  (#match? @reference.type "^[A-Z]"))

; a function named as a value: an argument (`map(to_string)`, `map(Self::label)`), a field
; value, an array element
(arguments
  (identifier) @name @reference.value)
(arguments
  (scoped_identifier
    path: (_) @receiver
    name: (identifier) @name) @reference.value)
(field_initializer
  value: (identifier) @name @reference.value)
(array_expression
  (identifier) @name @reference.value)

; a constant or static by its conventional name (`LIMIT`, `MAX_LEN`)
((identifier) @reference.value
  (#match? @reference.value "^[A-Z][A-Z0-9_]*$"))

; inside macro invocations (`format!("{}", f(x))`, `criterion_group!(benches, f)`) the
; tokens are not parsed: every identifier is a value reference (a call, a constant or a
; local: resolution keeps what names a definition), `a.f` and `A::f` with their receiver
(token_tree
  [(identifier) (self)] @receiver
  .
  ["." "::"]
  .
  (identifier) @name @reference.value)
(token_tree
  (identifier) @name @reference.value)

; format strings inside macro invocations: `{name}` placeholders are value references
(token_tree
  (string_literal) @format)

; a function named as a value in a tuple (`(stage_a, stage_b).chain()`), with a turbofish
; (`lap::<0>`), or as the receiver of a method (`system.after(other)`)
(tuple_expression
  (identifier) @name @reference.value)
(generic_function
  function: (identifier) @name) @reference.value
(call_expression
  function: (field_expression
    value: (identifier) @name @reference.value))

(use_declaration
  (visibility_modifier)? @visibility
  argument: (_) @name) @reference.import

(extern_crate_declaration
  name: (identifier) @name) @reference.import
