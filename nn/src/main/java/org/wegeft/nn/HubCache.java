package org.wegeft.nn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.WegeftInputException;

/**
 * Finds a Hugging Face Hub model id ({@code org/name}) in the local Hub cache, as {@code huggingface_hub} lays it
 * out, without any network access: {@code <cache>/models--org--name/snapshots/<revision>/}, the revision being the
 * one {@code refs/main} names (or the only snapshot there is). The cache is {@code $HF_HUB_CACHE}, else
 * {@code $HF_HOME/hub}, else {@code ~/.cache/huggingface/hub}.
 *
 * <pre>{@code
 * Path dir = HubCache.resolve("Qwen/Qwen3-0.6B");      // a local folder is returned as it is
 * }</pre>
 */
public final class HubCache {
    private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern REVISION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private HubCache() {
    }

    /** The model id or the folder {@code idOrFolder} names, looked up in this machine's Hub cache. */
    public static Path resolve(String idOrFolder) {
        return resolve(idOrFolder, cacheRoot(System.getenv(), Path.of(System.getProperty("user.home"))));
    }

    /**
     * {@code idOrFolder} as a folder when one exists there (or it does not look like a Hub id); otherwise the
     * snapshot of that id under {@code cache}.
     *
     * @throws NotCachedException naming the id and the folders looked in, when the id is not in the cache
     */
    public static Path resolve(String idOrFolder, Path cache) {
        Path local = Path.of(idOrFolder);
        if (Files.exists(local) || !REPO_ID.matcher(idOrFolder).matches()) {
            return local;
        }
        Path repo = cache.resolve("models--" + idOrFolder.replace("/", "--"));
        Path snapshots = repo.resolve("snapshots");
        Path ref = repo.resolve("refs").resolve("main");
        List<String> looked = new ArrayList<>(List.of(local.toAbsolutePath().toString(), snapshots.toString()));
        try {
            if (Files.isRegularFile(ref)) {
                String revision = Files.readString(ref).strip();
                if (!REVISION.matcher(revision).matches()) {
                    throw new NotCachedException(idOrFolder, ref + " names no revision (\"" + revision + "\")");
                }
                Path snapshot = snapshots.resolve(revision);
                if (Files.isDirectory(snapshot)) {
                    return snapshot;
                }
                looked.add(snapshot.toString());
            } else if (Files.isDirectory(snapshots)) {
                try (Stream<Path> s = Files.list(snapshots)) {
                    List<Path> all = s.filter(Files::isDirectory).toList();
                    if (all.size() == 1) {
                        return all.getFirst();
                    }
                    if (all.size() > 1) {
                        throw new NotCachedException(idOrFolder, snapshots + " holds " + all.size()
                                + " snapshots and " + ref + " is missing to say which is main");
                    }
                }
            }
        } catch (IOException e) {
            throw new NotCachedException(idOrFolder, "cannot read the Hub cache at " + repo + ": " + e.getMessage());
        }
        throw new NotCachedException(idOrFolder, "neither a local folder nor in the Hugging Face cache; looked in "
                + String.join(", ", looked) + " (download it with `huggingface-cli download " + idOrFolder
                + "`, or set HF_HUB_CACHE or HF_HOME)");
    }

    /** The Hub cache folder of an environment: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub. */
    static Path cacheRoot(Map<String, String> env, Path home) {
        String hub = nonBlank(env.get("HF_HUB_CACHE"));
        if (hub != null) {
            return Path.of(hub);
        }
        String hfHome = nonBlank(env.get("HF_HOME"));
        return hfHome != null ? Path.of(hfHome, "hub") : home.resolve(".cache/huggingface/hub");
    }

    private static @Nullable String nonBlank(@Nullable String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** A Hub model id that is neither a local folder nor in the local cache. */
    public static final class NotCachedException extends WegeftInputException {
        private static final long serialVersionUID = 1L;

        NotCachedException(String id, String problem) {
            super(id, id + ": " + problem, null);
        }
    }
}
