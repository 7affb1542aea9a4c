interface TargetNode {
  owner?: string;
  indexed?: boolean;
  children: Map<string, TargetNode>;
}

/**
 * The targets of one `fields` block as a tree, to refuse two fields that would overwrite each other
 * (`A` and `A.B`), a list index mixed with names under one parent, and list indexes that skip.
 */
export class TargetTree {
  private readonly root: TargetNode = { children: new Map() };

  /** Adds a target; returns why it collides with an earlier one, if it does. */
  add(target: string, segments: readonly string[]): string | undefined {
    let node = this.root;
    for (let index = 0; index < segments.length; index++) {
      const segment = segments[index]!;
      if (node.owner !== undefined) return `target '${target}' is inside '${node.owner}', which another field sets`;
      const numeric = /^\d+$/.test(segment);
      const parent = segments.slice(0, index).join('.');
      if (node.children.size > 0 && node.indexed !== numeric) {
        return `target '${target}' mixes list indexes and field names under '${parent}'`;
      }
      let child = node.children.get(segment);
      if (!child) {
        if (numeric && Number(segment) !== node.children.size) {
          return `target '${target}' skips a list index under '${parent}' (indexes start at 0 and go up by one)`;
        }
        child = { children: new Map() };
        node.children.set(segment, child);
      }
      node.indexed = numeric;
      node = child;
    }
    if (node.owner !== undefined) return `target '${target}' is set twice`;
    if (node.children.size > 0) return `target '${target}' is also the parent of other targets`;
    node.owner = target;
    return undefined;
  }
}
