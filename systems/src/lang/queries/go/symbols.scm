; Go symbols (tree-sitter-go 0.25). Capture convention: docs/graph.md.
; When two patterns define the same node, the earlier pattern's kind wins.

; --- definitions ---
(function_declaration
  name: (identifier) @name) @definition.function

; methods are qualified by their receiver's base type (`(s *S[T])` → `S.M`)
(method_declaration
  receiver: (parameter_list
    (parameter_declaration
      type: [
        (type_identifier) @qualifier
        (pointer_type (type_identifier) @qualifier)
        (generic_type type: (type_identifier) @qualifier)
        (pointer_type (generic_type type: (type_identifier) @qualifier))
      ]))
  name: (field_identifier) @name) @definition.method

(type_spec
  name: (type_identifier) @name
  type: (struct_type)) @definition.struct

(type_spec
  name: (type_identifier) @name
  type: (interface_type)) @definition.interface

(type_spec
  name: (type_identifier) @name
  type: (interface_type
    (type_elem (type_identifier) @implements))) @definition.interface

(type_spec
  name: (type_identifier) @name) @definition.type

(type_alias
  name: (type_identifier) @name) @definition.type

; package-level consts and vars
(source_file
  (const_declaration
    (const_spec name: (identifier) @name) @definition.const))

(source_file
  (var_declaration
    (var_spec name: (identifier) @name) @definition.variable))

(source_file
  (var_declaration
    (var_spec_list
      (var_spec name: (identifier) @name) @definition.variable)))

; --- references ---
(call_expression
  function: (identifier) @name) @reference.call

(call_expression
  function: (selector_expression
    operand: (_) @receiver
    field: (field_identifier) @name)) @reference.call

(type_identifier) @reference.type

(qualified_type
  package: (package_identifier) @receiver
  name: (type_identifier) @name) @reference.type

(import_spec
  path: (interpreted_string_literal (interpreted_string_literal_content) @name)) @reference.import

; a function named as a value: an argument (`sort.Slice(xs, less)`, `http.HandleFunc("/", h)`),
; a composite literal element
(argument_list (identifier) @name @reference.value)
(literal_value (literal_element (identifier) @name @reference.value))
