package org.wegeft.peft;

/**
 * One adapted Linear: its path, the path of the layer that owns its adapter tensors (itself unless it is a
 * later member of a WeGeFT tie group), and its weight shape (out, in).
 */
public record AdapterTarget(String path, String owner, long dOut, long dIn) {
    public boolean ownsTensors() {
        return path.equals(owner);
    }
}
