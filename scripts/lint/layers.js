import { dirname, relative, resolve, sep } from 'node:path';

/**
 * `opsdeck/layers`: the layer table of eslint.config.js, checked on every import of ours at any depth.
 * A file belongs to the layer whose folder holds it (the deepest, when folders nest); each relative
 * import in it (`import`, `export … from`, or `import()` of a literal) is resolved against the file's
 * folder, and must stay in the file's own layer, land in one its layer may import, or be a seam the
 * table names for that file. Files outside every layer (scripts/, e2e/, bench/) are not checked.
 *
 * Options: { root, layers: [{ folder, may: [folder or file], message }], seams: [{ from, to, why }] },
 * every path relative to root with forward slashes.
 */
export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports point down the layers (docs/ARCHITECTURE.md).' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          layers: {
            type: 'array',
            items: {
              type: 'object',
              properties: { folder: { type: 'string' }, may: { type: 'array', items: { type: 'string' } }, message: { type: 'string' } },
              required: ['folder', 'may', 'message'],
              additionalProperties: false,
            },
          },
          seams: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                from: { type: 'array', items: { type: 'string' } },
                to: { type: 'array', items: { type: 'string' } },
                why: { type: 'string' },
              },
              required: ['from', 'to', 'why'],
              additionalProperties: false,
            },
          },
        },
        required: ['root', 'layers'],
        additionalProperties: false,
      },
    ],
    messages: { layer: '{{layer}}/ may not import {{target}}: {{message}}' },
  },

  create(context) {
    const { root, layers, seams = [] } = context.options[0];
    const file = fromRoot(root, context.filename);
    const own = layerOf(layers, file);
    if (!own) return {};
    const seamsOfFile = seams.filter((seam) => seam.from.some((prefix) => within(file, prefix)));

    const check = (node) => {
      if (node?.type !== 'Literal' || typeof node.value !== 'string' || !node.value.startsWith('.')) return;
      const target = fromRoot(root, resolve(dirname(context.filename), node.value));
      if (layerOf(layers, target) === own) return;
      if (own.may.some((prefix) => within(target, prefix))) return;
      if (seamsOfFile.some((seam) => seam.to.some((prefix) => within(target, prefix)))) return;
      context.report({ node, messageId: 'layer', data: { layer: own.folder, target, message: own.message } });
    };

    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};

function fromRoot(root, path) {
  return relative(root, path).split(sep).join('/');
}

function within(path, prefix) {
  return path === prefix || path.startsWith(`${prefix}/`);
}

function layerOf(layers, path) {
  let found = null;
  for (const layer of layers) {
    if (within(path, layer.folder) && (!found || layer.folder.length > found.folder.length)) found = layer;
  }
  return found;
}
