package org.wegeft.nn;

/**
 * A registered child module: a named, replaceable holder whose declared type every replacement must have.
 * Containers keep slots in fields ({@code qProj.get().forward(x)}) so {@link Module#replace} is seen at once.
 *
 * @param <M> the declared type (often {@link Layer} so an adapter can stand in for a Linear)
 */
public final class Slot<M> {
    private final String name;
    private final Class<M> type;
    private M module;

    Slot(String name, Class<M> type, M module) {
        this.name = name;
        this.type = type;
        this.module = module;
    }

    public String name() {
        return name;
    }

    public M get() {
        return module;
    }

    Class<M> type() {
        return type;
    }

    Module module() {
        return (Module) module;
    }

    void set(Object replacement) {
        module = type.cast(replacement);
    }
}
