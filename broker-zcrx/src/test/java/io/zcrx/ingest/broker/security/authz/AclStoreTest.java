package io.zcrx.ingest.broker.security.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone ACL set on a real file and a real StandardAuthorizer; the grant cache's invalidation. */
class AclStoreTest {
    private static final Map<String, Object> SETTINGS = Map.of("super.users", "User:admin");

    @TempDir
    Path dir;

    private static Requester as(String user) {
        return new Requester("SASL_PLAINTEXT", SecurityProtocol.SASL_PLAINTEXT,
            new KafkaPrincipal(KafkaPrincipal.USER_TYPE, user), InetAddress.getLoopbackAddress(), 0, 9, "c", 1);
    }

    private static AclBinding allow(String user, AclOperation op, String topic, PatternType pattern) {
        return new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic, pattern),
            new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW));
    }

    private AclStore store(Authorization authz) throws Exception {
        final AclStore s = new AclStore(authz, new AclFile(dir));
        s.load();
        return s;
    }

    @Test
    void aclsAreStoredLoadedAgainAndDeletedByFilter() throws Exception {
        final Authorization a = Authorization.create(Authorization.STANDARD_AUTHORIZER, SETTINGS);
        final AclStore s = store(a);
        assertFalse(a.authorize(as("alice"), AclOperation.WRITE, ResourceType.TOPIC, "logs-1"));
        assertTrue(a.authorize(as("admin"), AclOperation.WRITE, ResourceType.TOPIC, "logs-1"));
        final long before = a.version();
        s.create(List.of(allow("alice", AclOperation.WRITE, "logs-", PatternType.PREFIXED),
            allow("alice", AclOperation.WRITE, "logs-", PatternType.PREFIXED)), "test");
        assertNotEquals(before, a.version());
        assertTrue(a.authorize(as("alice"), AclOperation.WRITE, ResourceType.TOPIC, "logs-1"));
        assertEquals(1, toList(a.acls(AclBindingFilter.ANY)).size());

        final Authorization again = Authorization.create(Authorization.STANDARD_AUTHORIZER, SETTINGS);
        final AclStore reloaded = store(again);
        assertTrue(again.authorize(as("alice"), AclOperation.WRITE, ResourceType.TOPIC, "logs-2"));
        assertFalse(again.authorize(as("bob"), AclOperation.WRITE, ResourceType.TOPIC, "logs-2"));
        assertEquals(1, reloaded.delete(List.of(AclBindingFilter.ANY), "test").get(0).aclBindingDeleteResults()
            .size());
        assertFalse(again.authorize(as("alice"), AclOperation.WRITE, ResourceType.TOPIC, "logs-2"));
        assertTrue(new AclFile(dir).load().isEmpty());
    }

    @Test
    void invalidAclsAreRefusedAsKafkaRefusesThem() throws Exception {
        final AclStore s = store(Authorization.create(Authorization.STANDARD_AUTHORIZER, SETTINGS));
        final AclBinding cluster = new AclBinding(new ResourcePattern(ResourceType.CLUSTER, "other",
            PatternType.LITERAL), new AccessControlEntry("User:a", "*", AclOperation.ALTER, AclPermissionType.ALLOW));
        assertInstanceOf(InvalidRequestException.class, s.create(List.of(cluster), "t").get(0).exception().get());
        assertInstanceOf(InvalidRequestException.class,
            s.create(List.of(allow("a", AclOperation.WRITE, "", PatternType.LITERAL)), "t").get(0).exception().get());
        assertTrue(new AclFile(dir).load().isEmpty());
    }

    @Test
    void topicGrantsExpireWithTheAclVersionAndThePrincipal() {
        final TopicGrants g = new TopicGrants();
        final Object alice = new Object();
        final Object topic = new Object();
        assertFalse(g.granted(alice, topic, 1));
        g.grant(alice, topic, 1);
        assertTrue(g.granted(alice, topic, 1));
        assertFalse(g.granted(alice, topic, 2));
        assertFalse(g.granted(new Object(), topic, 1));
        for (int i = 0; i < 200; i++) {
            g.grant(alice, new Object(), 1);
        }
        // Overwritten or not, never a grant for something not granted.
        assertFalse(g.granted(alice, new Object(), 1));
    }

    private static List<AclBinding> toList(Iterable<AclBinding> it) {
        final List<AclBinding> out = new ArrayList<>();
        it.forEach(out::add);
        return out;
    }
}
