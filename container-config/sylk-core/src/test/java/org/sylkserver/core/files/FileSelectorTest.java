package org.sylkserver.core.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** RFC 5547 §5 {@code file-selector} values, as offers carry them (§8). */
class FileSelectorTest {

    @Test
    void theFourSelectorsOfAnOffer() {
        FileSelector selector = FileSelector.parse("name:\"My cool picture.jpg\" type:image/jpeg size:32349 "
                + "hash:sha-1:72:24:5F:E8:65:3D:DA:F3:71:36:2F:86:D4:71:91:3E:E4:A2:CE:2E");
        assertEquals("My cool picture.jpg", selector.name());
        assertEquals("image/jpeg", selector.type());
        assertEquals(32349, selector.size());
        assertEquals("sha-1:72:24:5F:E8:65:3D:DA:F3:71:36:2F:86:D4:71:91:3E:E4:A2:CE:2E", selector.hash());
    }

    @Test
    void aPullNamesTheFileByItsHashAlone() {
        FileSelector selector = FileSelector.parse("hash:sha-1:72:24:5f:e8");
        assertNull(selector.name());
        assertEquals(-1, selector.size());
        assertEquals("sha-1:72:24:5F:E8", selector.hash(), "hex digits compared in upper case");
    }

    @Test
    void percentEncodedCharactersOfTheNameAreDecodedAndEncodedBack() {
        FileSelector selector = FileSelector.parse("name:\"50%25 %22off%22.txt\" size:0");
        assertEquals("50% \"off\".txt", selector.name());
        assertEquals(selector, FileSelector.parse(selector.toString()), "toString is what parse reads");
    }

    @Test
    void unknownSelectorsAreIgnored() {
        assertEquals(10, FileSelector.parse("size:10 colour:blue").size());
    }

    @Test
    void malformedSelectorsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> FileSelector.parse("name:unquoted.txt"));
        assertThrows(IllegalArgumentException.class, () -> FileSelector.parse("name:\"never closed"));
        assertThrows(IllegalArgumentException.class, () -> FileSelector.parse("size:many"));
        assertThrows(IllegalArgumentException.class, () -> FileSelector.parse("size:-5"));
        assertThrows(IllegalArgumentException.class, () -> FileSelector.parse("hash:sha-1:XYZ"));
        assertThrows(IllegalArgumentException.class, () -> FileSelector.parse("hash:nohash"));
        assertThrows(IllegalArgumentException.class, () -> FileSelector.parse("lonely"));
    }

    @Test
    void theHashFormOfTheOriginal() {
        assertEquals("sha-1:00:AB:FF", FileSelector.sha1Hash(new byte[] {0, (byte) 0xab, (byte) 0xff}));
    }
}
