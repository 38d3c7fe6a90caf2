package org.wegeft.nn;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Children registered as "0", "1", … like torch {@code nn.ModuleList} (e.g. the {@code blocks} of a ViT or the
 * {@code layers} of a LLaMA); {@link Module#replace} accepts only replacements of the declared type.
 *
 * @param <M> the declared element type
 */
public sealed class ModuleList<M> extends Module implements Iterable<M> permits Sequential {
    private final Class<M> type;
    private final List<Slot<M>> items = new ArrayList<>();

    public ModuleList(Class<M> type) {
        this.type = type;
    }

    public ModuleList(Class<M> type, List<? extends M> modules) {
        this(type);
        modules.forEach(this::add);
    }

    public ModuleList<M> add(M module) {
        items.add(registerModule(Integer.toString(items.size()), type, module));
        return this;
    }

    public M get(int i) {
        return items.get(i).get();
    }

    public int size() {
        return items.size();
    }

    @Override
    public Iterator<M> iterator() {
        return items.stream().map(Slot::get).iterator();
    }
}
