package org.wegeft.llm.chat;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One turn of a conversation: its role ({@code system}, {@code user}, {@code assistant}, …), its text, and any
 * other fields the record carried (such as {@code reasoning_content}), which the chat template may read.
 *
 * @param extra further fields, in their JSON order, as strings, numbers, booleans, lists and maps
 */
public record ChatMessage(String role, String content, Map<String, Object> extra) {
    public ChatMessage {
        if (extra.containsKey("role") || extra.containsKey("content")) {
            throw new IllegalArgumentException("extra fields must not repeat 'role' or 'content'");
        }
        extra = Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    public ChatMessage(String role, String content) {
        this(role, content, Map.of());
    }

    /** The message as the template sees it: role, content, then the extra fields. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        m.putAll(extra);
        return m;
    }
}
