; C++ symbols (tree-sitter-cpp 0.23). Capture convention: docs/graph.md.
; When two patterns define the same node, the earlier pattern's kind wins.

; --- methods: functions defined in a class body ---
(field_declaration_list
  (function_definition
    declarator: (function_declarator
      declarator: [(field_identifier) (identifier) (destructor_name) (operator_name)] @name)) @definition.method)

(field_declaration_list
  (template_declaration
    (function_definition
      declarator: (function_declarator
        declarator: [(field_identifier) (identifier) (destructor_name) (operator_name)] @name)) @definition.method))

; --- definitions ---
(function_definition
  (storage_class_specifier)? @visibility
  declarator: [
    (function_declarator declarator: [(identifier) (field_identifier) (destructor_name) (operator_name)] @name)
    (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))
    (reference_declarator (function_declarator declarator: (identifier) @name))
  ]) @definition.function

; out-of-class definitions: `A::f`, `A::B::f` (the scope may be a class or a namespace: a
; function either way until resolution)
(function_definition
  (storage_class_specifier)? @visibility
  declarator: [
    (function_declarator
      declarator: (qualified_identifier
        scope: (_) @qualifier
        name: [(identifier) (field_identifier) (destructor_name) (operator_name)] @name))
    (pointer_declarator
      declarator: (function_declarator
        declarator: (qualified_identifier
          scope: (_) @qualifier
          name: [(identifier) (field_identifier) (destructor_name) (operator_name)] @name)))
    (reference_declarator
      (function_declarator
        declarator: (qualified_identifier
          scope: (_) @qualifier
          name: [(identifier) (field_identifier) (destructor_name) (operator_name)] @name)))
  ]) @definition.function

(function_definition
  declarator: (function_declarator
    declarator: (qualified_identifier
      scope: (_) @qualifier
      name: (qualified_identifier
        scope: (_) @qualifier
        name: [(identifier) (field_identifier) (destructor_name) (operator_name)] @name)))) @definition.function

(class_specifier
  name: (type_identifier) @name
  body: (field_declaration_list)) @definition.class

(struct_specifier
  name: (type_identifier) @name
  body: (field_declaration_list)) @definition.struct

(union_specifier
  name: (type_identifier) @name
  body: (field_declaration_list)) @definition.struct

(class_specifier
  (base_class_clause [(type_identifier) (qualified_identifier) (template_type)] @implements)) @definition.class

(struct_specifier
  (base_class_clause [(type_identifier) (qualified_identifier) (template_type)] @implements)) @definition.struct

(enum_specifier
  name: (type_identifier) @name
  body: (enumerator_list)) @definition.enum

(namespace_definition
  name: [(namespace_identifier) (nested_namespace_specifier)] @name) @definition.module

(type_definition
  declarator: [
    (type_identifier) @name
    (pointer_declarator declarator: (type_identifier) @name)
  ]) @definition.type

(alias_declaration
  name: (type_identifier) @name) @definition.type

; namespace-scope variables (not prototypes)
([(translation_unit) (declaration_list)]
  (declaration
    (storage_class_specifier)? @visibility
    declarator: [
      (identifier) @name
      (init_declarator declarator: (identifier) @name)
      (init_declarator declarator: (pointer_declarator declarator: (identifier) @name))
      (pointer_declarator declarator: (identifier) @name)
    ]) @definition.variable)

; --- references ---
(call_expression
  function: (identifier) @name) @reference.call

(call_expression
  function: (qualified_identifier
    scope: (_) @receiver
    name: (identifier) @name)) @reference.call

(call_expression
  function: (field_expression
    argument: (_) @receiver
    field: (field_identifier) @name)) @reference.call

(call_expression
  function: (template_function
    name: (identifier) @name)) @reference.call

(new_expression
  type: (type_identifier) @name) @reference.call

(new_expression
  type: (qualified_identifier
    scope: (_) @receiver
    name: (type_identifier) @name)) @reference.call

(type_identifier) @reference.type

(preproc_include
  path: (_) @name) @reference.import

(using_declaration
  [(identifier) (qualified_identifier)] @name) @reference.import

; a function named as a value: an argument, an initialiser element
(argument_list (identifier) @name @reference.value)
(initializer_list (identifier) @name @reference.value)

; a constant by its conventional name (`LIMIT`, `MAX_LEN`)
((identifier) @reference.value
  (#match? @reference.value "^[A-Z][A-Z0-9_]*$"))
