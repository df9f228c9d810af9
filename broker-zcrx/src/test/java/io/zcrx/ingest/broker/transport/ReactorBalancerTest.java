package io.zcrx.ingest.broker.transport;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ReactorBalancerTest {

    private static int[] counts(ReactorBalancer b) {
        final int[] n = new int[b.reactors()];
        for (int i = 0; i < n.length; i++) {
            n[i] = b.connections(i);
        }
        return n;
    }

    @Test
    void connectionsSpreadEvenlyAndInTurn() {
        // Goal: N x R connections land N on each of R reactors, equal reactors taken in turn.
        final ReactorBalancer b = new ReactorBalancer(4);
        final int[] chosen = new int[8];
        for (int i = 0; i < chosen.length; i++) {
            chosen[i] = b.choose();
        }
        assertArrayEquals(new int[] {0, 1, 2, 3, 0, 1, 2, 3}, chosen);
        assertArrayEquals(new int[] {2, 2, 2, 2}, counts(b));
    }

    @Test
    void aClosedConnectionFreesItsPlaceForTheNext() {
        // Goal: the reactor that lost connections gets the next ones until it is level again (round-robin
        // would keep dealing in turn and leave it short).
        final ReactorBalancer b = new ReactorBalancer(3);
        for (int i = 0; i < 9; i++) {
            b.choose();
        }
        b.release(1);
        b.release(1);
        assertArrayEquals(new int[] {3, 1, 3}, counts(b));
        assertEquals(1, b.choose());
        assertEquals(1, b.choose());
        assertArrayEquals(new int[] {3, 3, 3}, counts(b));
        // Level again: back to taking them in turn, from the reactor after the last one chosen.
        assertEquals(2, b.choose());
        assertEquals(0, b.choose());
    }

    @Test
    void unevenClosesAreLevelledOneConnectionAtATime() {
        final ReactorBalancer b = new ReactorBalancer(3);
        for (int i = 0; i < 12; i++) {
            b.choose();
        }
        for (int i = 0; i < 4; i++) {
            b.release(0);
        }
        b.release(2);
        assertArrayEquals(new int[] {0, 4, 3}, counts(b));
        final int[] next = new int[5];
        for (int i = 0; i < next.length; i++) {
            next[i] = b.choose();
        }
        assertArrayEquals(new int[] {0, 0, 0, 2, 0}, next, Arrays.toString(next));
        assertArrayEquals(new int[] {4, 4, 4}, counts(b));
    }

    @Test
    void oneReactorTakesEverything() {
        final ReactorBalancer b = new ReactorBalancer(1);
        assertEquals(0, b.choose());
        assertEquals(0, b.choose());
        b.release(0);
        assertEquals(1, b.connections(0));
    }

    @Test
    void noReactorsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ReactorBalancer(0));
    }
}
