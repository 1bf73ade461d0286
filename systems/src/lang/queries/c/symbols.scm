; C symbols (tree-sitter-c 0.24). Capture convention: docs/graph.md.
; When two patterns define the same node, the earlier pattern's kind wins.

; --- definitions ---
(function_definition
  (storage_class_specifier)? @visibility
  declarator: [
    (function_declarator declarator: (identifier) @name)
    (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))
    (pointer_declarator declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @name)))
  ]) @definition.function

(struct_specifier
  name: (type_identifier) @name
  body: (field_declaration_list)) @definition.struct

(union_specifier
  name: (type_identifier) @name
  body: (field_declaration_list)) @definition.struct

(enum_specifier
  name: (type_identifier) @name
  body: (enumerator_list)) @definition.enum

(type_definition
  declarator: [
    (type_identifier) @name
    (pointer_declarator declarator: (type_identifier) @name)
  ]) @definition.type

; file-scope variables (not prototypes)
(translation_unit
  (declaration
    (storage_class_specifier)? @visibility
    declarator: [
      (identifier) @name
      (init_declarator declarator: (identifier) @name)
      (init_declarator declarator: (pointer_declarator declarator: (identifier) @name))
      (init_declarator declarator: (array_declarator declarator: (identifier) @name))
      (pointer_declarator declarator: (identifier) @name)
      (array_declarator declarator: (identifier) @name)
    ]) @definition.variable)

; --- references ---
(call_expression
  function: (identifier) @name) @reference.call

(call_expression
  function: (field_expression
    argument: (_) @receiver
    field: (field_identifier) @name)) @reference.call

(type_identifier) @reference.type

(preproc_include
  path: (_) @name) @reference.import

; a function named as a value: an argument (`qsort(xs, n, size, compare)`), an initialiser
; element (`{ .cb = handler }`, callback tables)
(argument_list (identifier) @name @reference.value)
(initializer_list (identifier) @name @reference.value)
(initializer_pair value: (identifier) @name @reference.value)

; a constant by its conventional name (`LIMIT`, `MAX_LEN`)
((identifier) @reference.value
  (#match? @reference.value "^[A-Z][A-Z0-9_]*$"))
