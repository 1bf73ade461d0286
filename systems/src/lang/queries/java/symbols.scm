; Java symbols (tree-sitter-java 0.23). Capture convention: docs/graph.md.
; When two patterns define the same node, the earlier pattern's kind wins.

; --- definitions ---
(method_declaration
  (modifiers)? @visibility
  name: (identifier) @name) @definition.method

(constructor_declaration
  (modifiers)? @visibility
  name: (identifier) @name) @definition.method

(class_declaration
  (modifiers)? @visibility
  name: (identifier) @name) @definition.class

(record_declaration
  (modifiers)? @visibility
  name: (identifier) @name) @definition.class

(class_declaration
  superclass: (superclass (_) @implements)) @definition.class

(class_declaration
  interfaces: (super_interfaces (type_list (_) @implements))) @definition.class

(record_declaration
  interfaces: (super_interfaces (type_list (_) @implements))) @definition.class

(interface_declaration
  (modifiers)? @visibility
  name: (identifier) @name) @definition.interface

(annotation_type_declaration
  (modifiers)? @visibility
  name: (identifier) @name) @definition.interface

(interface_declaration
  (extends_interfaces (type_list (_) @implements))) @definition.interface

(enum_declaration
  (modifiers)? @visibility
  name: (identifier) @name) @definition.enum

(enum_declaration
  interfaces: (super_interfaces (type_list (_) @implements))) @definition.enum

; `static final` fields are constants
(field_declaration
  (modifiers) @visibility
  declarator: (variable_declarator name: (identifier) @name)
  (#match? @visibility "static")
  (#match? @visibility "final")) @definition.const

; --- references ---
(method_invocation
  object: (_)? @receiver
  name: (identifier) @name) @reference.call

(object_creation_expression
  type: [
    (type_identifier) @name
    (generic_type (type_identifier) @name)
    (scoped_type_identifier) @name
  ]) @reference.call

(type_identifier) @reference.type

(import_declaration
  [(identifier) (scoped_identifier)] @name) @reference.import
