package org.wegeft.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hub ids found in a cache laid out as huggingface_hub lays it out. */
class HubCacheTest {
    @TempDir
    Path cache;

    private Path snapshot(String repo, String revision) throws IOException {
        return Files.createDirectories(cache.resolve(repo).resolve("snapshots").resolve(revision));
    }

    @Test
    void refsMainNamesTheSnapshot() throws IOException {
        snapshot("models--Qwen--Qwen3-0.6B", "aaa111");
        Path main = snapshot("models--Qwen--Qwen3-0.6B", "bbb222");
        Files.createDirectories(cache.resolve("models--Qwen--Qwen3-0.6B/refs"));
        Files.writeString(cache.resolve("models--Qwen--Qwen3-0.6B/refs/main"), "bbb222\n");
        assertEquals(main, HubCache.resolve("Qwen/Qwen3-0.6B", cache));
    }

    @Test
    void aSingleSnapshotIsTakenWithoutARef() throws IOException {
        Path only = snapshot("models--google--vit-base-patch16-224", "c0ffee");
        assertEquals(only, HubCache.resolve("google/vit-base-patch16-224", cache));
    }

    @Test
    void aLocalFolderOrAPathIsReturnedAsItIs() throws IOException {
        Path local = Files.createDirectories(cache.resolve("my-model"));
        assertEquals(local, HubCache.resolve(local.toString(), cache));
        assertEquals(Path.of("some/where/deeper"), HubCache.resolve("some/where/deeper", cache));
    }

    @Test
    void aMissingIdNamesWhereItLooked() throws IOException {
        snapshot("models--a--b", "x");
        snapshot("models--a--b", "y");
        HubCache.NotCachedException twoSnapshots = assertThrows(HubCache.NotCachedException.class,
                () -> HubCache.resolve("a/b", cache));
        assertTrue(twoSnapshots.getMessage().contains("refs"), twoSnapshots.getMessage());
        Files.createDirectories(cache.resolve("models--a--b/refs"));
        Files.writeString(cache.resolve("models--a--b/refs/main"), "../../elsewhere");
        assertThrows(HubCache.NotCachedException.class, () -> HubCache.resolve("a/b", cache));
        HubCache.NotCachedException absent = assertThrows(HubCache.NotCachedException.class,
                () -> HubCache.resolve("meta-llama/Llama-3.2-1B", cache));
        assertTrue(absent.getMessage().startsWith("meta-llama/Llama-3.2-1B: "), absent.getMessage());
        assertTrue(absent.getMessage().contains(cache.resolve("models--meta-llama--Llama-3.2-1B/snapshots").toString()),
                absent.getMessage());
    }

    @Test
    void theCacheFollowsHuggingFaceHubsVariables() {
        Path home = Path.of("/home/u");
        assertEquals(Path.of("/c/hub"), HubCache.cacheRoot(Map.of("HF_HUB_CACHE", "/c/hub", "HF_HOME", "/h"), home));
        assertEquals(Path.of("/h/hub"), HubCache.cacheRoot(Map.of("HF_HOME", "/h"), home));
        assertEquals(Path.of("/home/u/.cache/huggingface/hub"), HubCache.cacheRoot(Map.of(), home));
    }
}
