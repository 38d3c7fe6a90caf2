# Sourced by ./wegeft: sets GC_OPTS, the JVM's garbage-collector options, from WEGEFT_JAVA_OPTS.
# Garbage collector: tensors live off the Java heap, so the heap holds small objects that die young. G1's default
# sizing lets the young generation grow to hundreds of MB that stay resident (about 380 MB more peak RSS when
# training ViT-S/16, for no speed); the serial collector with a 64 MB young generation keeps the heap near 100 MB
# (the parallel one did too, but its old generation grew by tens of MB from run to run under the data loaders).
# A collector or young-generation size given in WEGEFT_JAVA_OPTS replaces this default.
# (A maximum heap under 256 MB keeps the collector's own young-generation sizing.)
GC_OPTS=(-XX:+UseSerialGC -Xmn64m)
for opt in ${WEGEFT_JAVA_OPTS:-}; do
  case "$opt" in
    -XX:+Use*GC|-Xmn*|-XX:NewSize=*|-XX:MaxNewSize=*|-XX:NewRatio=*) GC_OPTS=() ;;
    -Xmx*)
      if [[ "$opt" =~ ^-Xmx([0-9]{1,12})([kKmMgGtT]?)$ ]]; then   # anything else: the JVM reports it
        num=$((10#${BASH_REMATCH[1]}))
        case "${BASH_REMATCH[2]}" in k|K) mb=$((num / 1024)) ;; m|M) mb=$num ;; g|G) mb=$((num * 1024)) ;;
          t|T) mb=$((num * 1048576)) ;; *) mb=$((num / 1048576)) ;; esac
        if [ ${#GC_OPTS[@]} -gt 0 ] && [ "$mb" -lt 256 ]; then GC_OPTS=(-XX:+UseSerialGC); fi
      fi
      ;;
  esac
done
