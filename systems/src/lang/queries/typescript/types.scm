;; TypeScript/TSX type references, after the shared ECMAScript patterns.

(type_identifier) @reference.type

(nested_type_identifier
  module: (_) @receiver
  name: (type_identifier) @name) @reference.type
