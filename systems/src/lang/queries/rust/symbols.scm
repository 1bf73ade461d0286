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

(use_declaration
  argument: (_) @name) @reference.import

(extern_crate_declaration
  name: (identifier) @name) @reference.import
